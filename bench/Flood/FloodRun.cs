using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// Scrapers and bots beside a buyer (issue 18): against the gateway at <c>--url</c>, a buyer buys at
/// <c>--buyer-rate</c> purchases a second (open loop, 10,000 won each with a new key, over <see cref="BuyerCitizens"/>
/// citizens) from a sale opened for the run, and its times are measured; in rounds of <c>--round-seconds</c> alternating
/// quiet (the buyer alone) and flood (the buyer beside <c>--rate</c> requests a second, each naming a program-month of
/// its own that nobody set a policy for: six in eight read its state with no token, one reads a purchase in it and one
/// buys there, both with one citizen's token), <c>--rounds</c> pairs after a warm-up of the buyer. With <c>--control</c>
/// each pair has a third round between them: the same requests with program ids the gateway refuses at its edge (400, or
/// 404 for a purchase id that does not parse), which look nothing up and call no grain. At each round's end the
/// resident memory of the gateway and silos of <c>./ledger bench</c> (LEDGER_WATCH_PIDS) is read, and the CPU time they
/// and PostgreSQL spent in the round (the machine is shared: CPU time varies less than a p99). Then a sale opened
/// after the flood is bought from once and the silos' <c>/metrics</c> (LEDGER_SILO_METRICS_URLS) are read for its
/// series. The flood ignores every answer: this measures what the made-up ids cost the ledger's buyers.
/// </summary>
public static class FloodRun
{
    public const double FloodPerSecondDefault = 900;

    public const double BuyerPerSecondDefault = 50;

    public const double RoundSecondsDefault = 80;

    public const string MetricsUrlsVariable = "LEDGER_SILO_METRICS_URLS";

    /// <summary>The buyer's citizens: few, so that the quiet rounds activate nothing new and the silos' memory stays put.</summary>
    private const int BuyerCitizens = 200;

    /// <summary>Flood requests in flight at most; past this one is counted as skipped (the gateway is that far behind).</summary>
    private const int FloodInFlightMax = 4_096;

    private const int BuyerInFlightMax = 1_024;

    /// <summary>How long the buyer buys before the first round: connections, JIT and its citizens' grains warm.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<int> RunAsync(BenchOptions options, string[] args)
    {
        var minter = TokenMinter.FromEnvironment();
        var runId = Guid.NewGuid().ToString("N")[..8];
        var buyers = BuyersScenario($"flood-{runId}", runId);
        var sale = buyers.Sales[0];
        var floodPerSecond = options.Rate ?? FloodPerSecondDefault;
        var length = TimeSpan.FromSeconds(options.RoundSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"flood: a buyer at {options.BuyerRate:F0}/s on {sale.ProgramMonth}; rounds of {length.TotalSeconds:F0} s, quiet then " +
            $"{(options.Control ? "a control, then " : "")}{floodPerSecond:F0} made-up ids/s, {options.Rounds} pairs, against {options.Url}"));

        await using var buyer = new HttpDriver(options.Url, BuyerInFlightMax, minter);
        await buyer.SetUpAsync(buyers);
        using var flood = new Flooder(options.Url, options.Connections, minter.Mint($"f{runId}-flooder"), runId);
        var buying = new Buyer(buyer, buyers);
        await buying.BuyAsync(options.BuyerRate, WarmUp);
        string[] kinds = options.Control ? [FloodRound.Quiet, FloodRound.Control, FloodRound.Flood] : [FloodRound.Quiet, FloodRound.Flood];
        var rounds = new List<FloodRound>();
        for (var pair = 1; pair <= options.Rounds; pair++)
        {
            foreach (var kind in kinds)
            {
                var round = await RoundAsync(kind, pair, length, options.BuyerRate, floodPerSecond, buying, flood);
                rounds.Add(round);
                Console.WriteLine(Describe(round));
            }
        }

        var series = await CheckSeriesAsync(options, minter, runId);
        var report = Report(args, options, sale, floodPerSecond, rounds, series);
        Console.WriteLine(Verdict(report));
        await JsonReport.WriteAsync(options.JsonFile, report);
        return report.Passed ? 0 : 1;
    }

    /// <summary>A sale open since a minute ago whose cap and limit never refuse the buyer.</summary>
    private static Scenario BuyersScenario(string programId, string runId)
    {
        var policy = new Policy(
            DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, 1_000_000 * Scenario.Unit, Scenario.Unit, new ChannelAmounts(1_000_000_000 * Scenario.Unit, 0));
        var sale = new Sale(new ProgramMonth(programId, ProgramMonth.MonthOf(DateTimeOffset.UtcNow)), policy);
        return Scenario.Buyers("flood", runId, sale,
            Enumerable.Range(0, BuyerCitizens).Select(i => string.Create(CultureInfo.InvariantCulture, $"b{runId}-{i}")), Scenario.Unit);
    }

    private static async Task<FloodRound> RoundAsync(
        string kind, int pair, TimeSpan length, double buyerPerSecond, double floodPerSecond, Buyer buyer, Flooder flood)
    {
        var clock = Stopwatch.StartNew();
        var cpu = ProcessTimes.Now();
        var flooding = kind == FloodRound.Quiet
            ? Task.FromResult(new FloodCounts(0, 0, new Dictionary<string, long>()))
            : flood.FloodAsync(floodPerSecond, length, malformed: kind == FloodRound.Control);
        var bought = await buyer.BuyAsync(buyerPerSecond, length);
        var counts = await flooding;
        return new FloodRound(
            kind, pair, clock.Elapsed.TotalSeconds, bought.Times, bought.NotCreated, counts.Sent, counts.Skipped, counts.Answers, MemoryWatch.ResidentBytes(),
            ProcessTimes.Spent(cpu, ProcessTimes.Now()));
    }

    /// <summary>A sale opened after the flood, bought from once; then its series looked for on each silo's /metrics.</summary>
    private static async Task<FloodSeries?> CheckSeriesAsync(BenchOptions options, TokenMinter minter, string runId)
    {
        var urls = (Environment.GetEnvironmentVariable(MetricsUrlsVariable) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (urls.Length == 0)
        {
            Console.WriteLine($"flood: {MetricsUrlsVariable} names no silo metrics: the series check is left out.");
            return null;
        }

        var after = BuyersScenario($"after-{runId}", runId);
        await using (var driver = new HttpDriver(options.Url, 1, minter))
        {
            await driver.SetUpAsync(after);
            var answer = await driver.PurchaseAsync(after.Sales[0], after.Citizens[0].CitizenId, "after-1", Channel.Mobile, Scenario.Unit, null);
            if (answer.Outcome != Outcome.Confirmed)
            {
                Console.Error.WriteLine($"flood: the purchase after the flood was answered {answer.Status} {answer.Detail}.");
            }
        }

        using var http = new HttpClient();
        var programMonth = after.Sales[0].ProgramMonth;
        var lines = new List<string>();
        foreach (var url in urls)
        {
            lines.AddRange((await http.GetStringAsync(url)).Split('\n').Where(l => l.StartsWith("ledger_purchases_total{", StringComparison.Ordinal)));
        }

        var found = lines.Any(l => l.Contains($"program=\"{programMonth.ProgramId}\"", StringComparison.Ordinal)
            && l.Contains("outcome=\"Confirmed\"", StringComparison.Ordinal));
        return new FloodSeries(
            programMonth.ToString(), found, lines.Count, lines.Any(l => l.Contains("otel_metric_overflow", StringComparison.Ordinal)), urls);
    }

    private static FloodReport Report(
        string[] args, BenchOptions options, Sale sale, double floodPerSecond, List<FloodRound> rounds, FloodSeries? series)
    {
        var pairs = rounds.GroupBy(r => r.Pair).Select(g => g.ToDictionary(r => r.Kind)).ToArray();
        static double SiloMiB(FloodRound round) =>
            round.ResidentBytes.Where(p => p.Key.StartsWith("Silo ", StringComparison.Ordinal)).Sum(p => p.Value) / (1024.0 * 1024);
        static double P99Ratio(Dictionary<string, FloodRound> pair, string kind) => pair[kind].Buyer.P99Seconds / pair[FloodRound.Quiet].Buyer.P99Seconds;
        return new FloodReport(
            BenchReport.WithoutConnectionString(args), DateTimeOffset.UtcNow, Environment.ProcessorCount, options.Url,
            sale.ProgramMonth.ToString(), options.BuyerRate, floodPerSecond, options.RoundSeconds, rounds,
            pairs.Select(p => P99Ratio(p, FloodRound.Flood)).ToArray(),
            pairs.Select(p => SiloMiB(p[FloodRound.Flood]) - SiloMiB(p[FloodRound.Quiet])).ToArray(),
            pairs.Where(p => p.ContainsKey(FloodRound.Control)).Select(p => P99Ratio(p, FloodRound.Control)).ToArray(),
            series);
    }

    private static string Describe(FloodRound round)
    {
        var line = new StringBuilder()
            .Append(Invariant($"flood: pair {round.Pair} {round.Kind,-5}  buyer {round.Buyer.Count} purchases, "))
            .Append(Invariant($"p50 {round.Buyer.MedianSeconds * 1000:F1} ms, p99 {round.Buyer.P99Seconds * 1000:F1} ms, "))
            .Append(Invariant($"max {round.Buyer.MaxSeconds * 1000:F0} ms, {round.BuyerNotCreated} not 201"));
        if (round.FloodSent > 0)
        {
            line.Append(Invariant($"; flood {round.FloodSent} sent ({round.FloodSent / round.Seconds:F0}/s), {round.FloodSkipped} skipped, answers "))
                .AppendJoin(", ", round.FloodAnswers.Select(a => Invariant($"{a.Key} x{a.Value}")));
        }

        return line.Append("; resident ").AppendJoin(", ", round.ResidentBytes.Select(p => Invariant($"{p.Key} {p.Value / (1024.0 * 1024):F0} MiB")))
            .Append("; cpu ").AppendJoin(", ", round.CpuSeconds.Select(p => Invariant($"{p.Key} {p.Value:F1} s")))
            .ToString();
    }

    private static string Verdict(FloodReport report)
    {
        var series = report.Series is { } s
            ? Invariant($"series of a sale opened after the flood {(s.Found ? "present" : "MISSING")}, ") +
              Invariant($"{s.PurchaseSeries} ledger_purchases_total series, overflow {(s.Overflow ? "yes" : "no")}")
            : "series not checked";
        return Invariant($"flood: buyer p99 flood/quiet {string.Join(", ", report.P99Ratios.Select(r => Invariant($"{r:F2}")))} ") +
            Invariant($"(at most {FloodReport.P99RatioMax}); control/quiet ") +
            Invariant($"{string.Join(", ", report.ControlP99Ratios.Select(r => Invariant($"{r:F2}")))}; silo memory flood - quiet ") +
            Invariant($"{string.Join(", ", report.SiloGrowthMiB.Select(g => Invariant($"{g:F0}")))} MiB (at most {FloodReport.SiloGrowthMiBMax}); ") +
            series + (report.Passed ? "; passed" : "; NOT passed");
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>Paces <paramref name="send"/> at <paramref name="perSecond"/> for <paramref name="length"/>, open loop, then waits for the last answers.</summary>
    private static async Task<(long Sent, long Skipped)> PaceAsync(double perSecond, TimeSpan length, int inFlightMax, Func<long, Task> send)
    {
        var clock = Stopwatch.StartNew();
        var sending = new List<Task>();
        var inFlight = 0;
        long sent = 0, skipped = 0;
        while (clock.Elapsed < length)
        {
            for (var due = (long)(clock.Elapsed.TotalSeconds * perSecond); sent + skipped < due;)
            {
                if (Volatile.Read(ref inFlight) >= inFlightMax)
                {
                    skipped++;
                    continue;
                }

                Interlocked.Increment(ref inFlight);
                sending.Add(SendAsync(sent++));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(sending);
        return (sent, skipped);

        async Task SendAsync(long n)
        {
            try
            {
                await send(n);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    private sealed record Bought(TimeStats Times, long NotCreated);

    private sealed record FloodCounts(long Sent, long Skipped, IReadOnlyDictionary<string, long> Answers);

    /// <summary>The buyer: purchases at a steady rate over its citizens, each with a new key, timed.</summary>
    private sealed class Buyer(HttpDriver driver, Scenario scenario)
    {
        private long next;

        public async Task<Bought> BuyAsync(double perSecond, TimeSpan length)
        {
            var times = new ConcurrentBag<double>();
            var notCreated = 0L;
            await PaceAsync(perSecond, length, BuyerInFlightMax, async _ =>
            {
                var n = Interlocked.Increment(ref next);
                var citizen = scenario.Citizens[(int)(n % scenario.Citizens.Count)];
                var started = Stopwatch.GetTimestamp();
                var answer = await driver.PurchaseAsync(
                    scenario.Sales[0], citizen.CitizenId, string.Create(CultureInfo.InvariantCulture, $"k{n}"), Channel.Mobile, Scenario.Unit, null);
                times.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                if (answer.Outcome != Outcome.Confirmed)
                {
                    Interlocked.Increment(ref notCreated);
                }
            });
            return new Bought(TimeStats.Of(times), notCreated);
        }
    }

    /// <summary>Requests each naming a program-month of its own that nobody set a policy for.</summary>
    private sealed class Flooder : IDisposable
    {
        private readonly HttpClient client;
        private readonly AuthenticationHeaderValue citizen;
        private readonly string runId;
        private readonly string month = ProgramMonth.MonthOf(DateTimeOffset.UtcNow);
        private long next;

        public Flooder(string url, int connections, string citizenToken, string runId)
        {
            client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseCookies = false })
            {
                BaseAddress = new Uri(url),
                Timeout = TimeSpan.FromSeconds(30),
            };
            citizen = new AuthenticationHeaderValue("Bearer", citizenToken);
            this.runId = runId;
        }

        public async Task<FloodCounts> FloodAsync(double perSecond, TimeSpan length, bool malformed)
        {
            var answers = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var (sent, skipped) = await PaceAsync(perSecond, length, FloodInFlightMax, async _ =>
            {
                var answer = await SendAsync(Interlocked.Increment(ref next), malformed);
                answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
            });
            return new FloodCounts(sent, skipped, new SortedDictionary<string, long>(answers, StringComparer.Ordinal));
        }

        public void Dispose() => client.Dispose();

        /// <summary>One request about a made-up program-month (a malformed one: upper case); its status, or why it got none.</summary>
        private async Task<string> SendAsync(long n, bool malformed)
        {
            var programMonth = new ProgramMonth(string.Create(CultureInfo.InvariantCulture, $"{(malformed ? 'F' : 'f')}{runId}-{n:x}"), month);
            var path = $"/programs/{programMonth.ProgramId}/months/{programMonth.Month}";
            using var request = (n % 8) switch
            {
                6 => new HttpRequestMessage(HttpMethod.Get, $"/purchases/{PurchaseIds.Format(programMonth, 1)}"),
                7 => new HttpRequestMessage(HttpMethod.Post, path + "/purchases")
                {
                    Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"channel":"mobile","amount":10000}""")) { Headers = { ContentType = Json } },
                    Headers = { { "Idempotency-Key", "k1" } },
                },
                _ => new HttpRequestMessage(HttpMethod.Get, path),
            };
            if (n % 8 >= 6)
            {
                request.Headers.Authorization = citizen;
            }

            try
            {
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                return e.GetType().Name;
            }
        }
    }
}
