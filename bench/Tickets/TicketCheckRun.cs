using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// How fast the gateway answers a queued buyer's retry whose ticket is not yet admitted (most of a storm's
/// requests once the waiting room fills), against its no-op ceiling in the same run (issue 15). First
/// <c>--citizens</c> distinct citizens each send one purchase, on <see cref="TakeConnections"/> keep-alive
/// connections, to a fresh program-month opened by the admin PUT: a few go straight in, the rest get 429 queued
/// with a ticket. The room then admits at most twice the best purchases answered per second lately, and 100/s
/// once nothing is bought, so the last tickets taken stay far behind its frontier. Then the last <c>--replay</c>
/// holders' requests (same token, body and key, their latest ticket) go again in a closed loop on
/// <c>--connections</c> keep-alive connections, in rounds of <c>--round-seconds</c> alternating with the very same
/// requests to the no-op endpoint (A, B, A, B: the machine is shared and noisy, so only ratios within one run
/// count), <c>--rounds</c> pairs after an unmeasured round of each. The retries ignore Retry-After: this measures
/// what the gateway can answer, not what polite clients ask.
/// </summary>
public static class TicketCheckRun
{
    public const int TicketsDefault = 50_000;

    public const int ReplayDefault = 4_000;

    public const int RoundPairsDefault = 3;

    public const double RoundSecondsDefault = 4;

    /// <summary>
    /// Connections the tickets are taken on: more purchases at once than the gateway's purchase flow lets in at
    /// first (Client.Api's PurchaseFlow.LimitFirst, 256), so its waiting room queues from the first moments and
    /// nearly every citizen takes a ticket instead of buying.
    /// </summary>
    public const int TakeConnections = 1_024;

    /// <summary>What errors are counted as among a round's answers: no answer, a 5xx but 503, a refusal without Retry-After.</summary>
    private const string ErrorDetail = "error";

    /// <summary>The unmeasured round of each kind first: connections opened, both endpoints compiled.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the rounds may take in all. A ticket nobody brings back dies Retry-After (at most 10 s) plus 30 s
    /// after its answer, and the frontier passes dead tickets free, so about 40 s after the last tickets were
    /// taken the replayed ones are next in line and get admitted (201, not 429). Longer rounds are warned of.
    /// </summary>
    public static readonly TimeSpan RoundsWithinMax = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchOptions options, string[] args)
    {
        var minter = TokenMinter.FromEnvironment();
        await using var noOp = new HttpDriver(options.Url, options.Connections, minter, GatewayFloor.NoOp);
        if (!await ServesNoOpAsync(noOp, options.Url))
        {
            return 1;
        }

        var rounds = TimeSpan.FromSeconds(options.RoundSeconds) * 2 * options.Rounds + 2 * WarmUp;
        var take = TakeScenario(options.Citizens);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ticket-check: {options.Citizens} citizens take tickets for {take.Sales[0].ProgramMonth} on {TakeConnections} connections; " +
            $"then the last {options.Replay} come back with them, {options.Rounds} pairs of {options.RoundSeconds} s rounds " +
            $"(no-op, then ticket) on {options.Connections} connections, {rounds.TotalSeconds:F0} s in all"));
        if (rounds > RoundsWithinMax)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ticket-check: rounds of {rounds.TotalSeconds:F0} s in all pass {RoundsWithinMax.TotalSeconds:F0} s: the last may meet admitted tickets (counted as not 429)."));
        }

        var taken = await TakeAsync(options, take, minter);
        if (taken.Holders.Count < Math.Min(options.Replay, options.Connections))
        {
            Console.Error.WriteLine($"ticket-check: only {taken.Holders.Count} tickets were taken (the gateway did not queue): nothing to replay.");
            return 1;
        }

        var holders = taken.Holders.TakeLast(options.Replay).ToArray();
        var replay = new Scenario("ticket-check replay", take.RunId, [], holders.Select(h => take.Citizens[h.Index]).ToArray());
        await noOp.SetUpAsync(replay);
        await using var queued = new HttpDriver(options.Url, options.Connections, minter);
        await queued.SetUpAsync(replay);
        var measured = await RoundsAsync(options, take.Sales[0], holders, noOp, queued);
        var invariants = await LedgerInvariants.TryCheckAsync(options.ConnectionString, take, taken.Bought);
        var report = Report(args, options, take, taken, holders.Length, measured, invariants);
        TicketCheckConsole.Write(report);
        await JsonReport.WriteAsync(options.JsonFile, report);

        return report.Passed ? 0 : 1;
    }

    /// <summary>Whether the gateway serves the no-op endpoint; when not, says on stderr what the user must do.</summary>
    private static async Task<bool> ServesNoOpAsync(HttpDriver noOp, string url)
    {
        const string Start = "start it with LEDGER_BENCH_NOOP=1 ./ledger up (which runs the bench's gateway, bench/Gateway)";
        try
        {
            if (await noOp.HasFloorAsync())
            {
                return true;
            }

            Console.Error.WriteLine($"ticket-check: the gateway at {url} serves no no-op endpoint to compare with: {Start}.");
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"ticket-check: no gateway answers at {url} ({e.Message}): {Start}.");
        }

        return false;
    }

    /// <summary>A fresh program-month open since a minute ago, a 10,000-won unit a citizen, with room for every purchase.</summary>
    private static Scenario TakeScenario(int citizens)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var cap = (citizens + (long)TakeConnections) * Scenario.Unit;
        var policy = new Policy(DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, Scenario.Unit, Scenario.Unit, new ChannelAmounts(cap, 0));
        var sale = new Sale(new ProgramMonth($"tickets-{runId}", ProgramMonth.MonthOf(DateTimeOffset.UtcNow)), policy);
        return Scenario.Buyers("ticket-check", runId, sale,
            Enumerable.Range(0, citizens).Select(i => string.Create(CultureInfo.InvariantCulture, $"t{runId}-{i}")), Scenario.Unit);
    }

    /// <summary>Every citizen's one purchase, without coming back; the holders of a ticket in the order their answers came.</summary>
    private static async Task<Taken> TakeAsync(BenchOptions options, Scenario take, TokenMinter minter)
    {
        var citizens = take.Citizens;
        var answers = new Answer[citizens.Count];
        var answeredAt = new long[citizens.Count];
        var done = 0L;
        var clock = Stopwatch.StartNew();
        await using (var driver = new HttpDriver(options.Url, TakeConnections, minter))
        {
            await driver.SetUpAsync(take);
            clock.Restart();
            await LoopAsync(TakeConnections, i => i < citizens.Count, async i =>
            {
                answers[i] = await driver.PurchaseAsync(take.Sales[0], citizens[i].CitizenId, KeyOf(citizens[i]), Channel.Mobile, Scenario.Unit, null);
                answeredAt[i] = Interlocked.Increment(ref done);
            });
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        var holders = Enumerable.Range(0, citizens.Count)
            .Where(i => IsQueued(answers[i]))
            .OrderBy(i => answeredAt[i])
            .Select(i => new Holder(i, citizens[i].CitizenId, KeyOf(citizens[i]), answers[i].QueueTicket!))
            .ToArray();
        var bought = Enumerable.Range(0, citizens.Count)
            .Where(i => answers[i].Outcome == Outcome.Confirmed)
            .Select(i => new SeenPurchase(0, citizens[i].CitizenId, Channel.Mobile, Scenario.Unit, answers[i].Sequence))
            .ToArray();
        var other = answers.Where(a => !IsQueued(a) && a.Outcome != Outcome.Confirmed)
            .GroupBy(DetailOf).ToDictionary(g => g.Key, g => (long)g.Count());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ticket-check: {holders.Length} tickets taken and {bought.Length} bought in {elapsed:F1} s; {other.Values.Sum()} other answers"));
        return new Taken(holders, bought, other, elapsed, answers.LongCount(a => a.Outcome == Outcome.Error));
    }

    /// <summary>The warm-up round of each kind, then <c>--rounds</c> pairs, each no-op first.</summary>
    private static async Task<List<TicketRound>> RoundsAsync(BenchOptions options, Sale sale, Holder[] holders, HttpDriver noOp, HttpDriver queued)
    {
        var length = TimeSpan.FromSeconds(options.RoundSeconds);
        var rounds = new List<TicketRound>();
        for (var pair = 0; pair <= options.Rounds; pair++)
        {
            foreach (var (kind, driver) in new[] { (TicketRound.NoOp, noOp), (TicketRound.Ticket, queued) })
            {
                var round = await RoundAsync(kind, pair, pair == 0 ? WarmUp : length, options.Connections, sale, holders, driver);
                rounds.Add(round);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ticket-check: {(round.IsWarmUp ? "warm-up" : $"pair {pair}")} {kind,-6}  {round.PerSecond,8:F0}/s  " +
                    $"{round.Answers} answers in {round.Seconds:F2} s, {round.Unexpected.Values.Sum()} not {(kind == TicketRound.NoOp ? "201" : "429")}" +
                    $"{(round.PositionMin is { } position ? $", closest place {position}" : "")}"));
            }
        }

        return rounds;
    }

    /// <summary>One round: the holders' requests in turn on <paramref name="connections"/> loops until the round's time is up.</summary>
    private static async Task<TicketRound> RoundAsync(
        string kind, int pair, TimeSpan length, int connections, Sale sale, Holder[] holders, HttpDriver driver)
    {
        var tally = new RoundTally();
        var clock = Stopwatch.StartNew();
        await LoopAsync(connections, _ => clock.Elapsed < length, async i =>
        {
            var holder = holders[i % holders.Length];
            var answer = await driver.PurchaseAsync(sale, holder.CitizenId, holder.Key, Channel.Mobile, Scenario.Unit, holder.Ticket);
            holder.Ticket = answer.QueueTicket ?? holder.Ticket;
            tally.Count(answer, kind == TicketRound.NoOp ? answer.Outcome == Outcome.Confirmed : IsQueued(answer));
        });
        var seconds = clock.Elapsed.TotalSeconds;
        return new TicketRound(kind, pair, seconds, tally.Answers, tally.Answers / seconds, tally.Expected, tally.Unexpected, tally.PositionMin);
    }

    private static TicketCheckReport Report(
        string[] args, BenchOptions options, Scenario take, Taken taken, int replayed, List<TicketRound> rounds, InvariantReport? invariants)
    {
        var measured = rounds.Where(r => !r.IsWarmUp).ToArray();
        double Rate(string kind) => measured.Where(r => r.Kind == kind).Sum(r => r.Answers) / measured.Where(r => r.Kind == kind).Sum(r => r.Seconds);
        var (noOpRate, ticketRate) = (Rate(TicketRound.NoOp), Rate(TicketRound.Ticket));
        var pairShares = measured.GroupBy(r => r.Pair)
            .Select(g => g.Single(r => r.Kind == TicketRound.Ticket).PerSecond / g.Single(r => r.Kind == TicketRound.NoOp).PerSecond)
            .ToArray();
        var errors = taken.Errors + rounds.Sum(r => r.Unexpected.GetValueOrDefault(ErrorDetail));
        return new TicketCheckReport(
            BenchReport.WithoutConnectionString(args), DateTimeOffset.UtcNow, Environment.ProcessorCount, options.Url,
            take.Sales[0].ProgramMonth.ToString(), take.Citizens.Count, TakeConnections, taken.Seconds, taken.Holders.Count,
            taken.Bought.Count, taken.Other, replayed, options.Connections, options.RoundSeconds, rounds, noOpRate, ticketRate,
            ticketRate / noOpRate, pairShares, measured.Where(r => r.Kind == TicketRound.Ticket).Sum(r => r.Unexpected.Values.Sum()),
            errors, invariants, MemoryWatch.PeakBytes(watched: true));
    }

    /// <summary>Runs <paramref name="send"/> on <paramref name="loops"/> loops at once, each taking the next index while <paramref name="more"/> says so.</summary>
    private static Task LoopAsync(int loops, Func<int, bool> more, Func<int, Task> send)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, loops).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); more(i); i = Interlocked.Increment(ref next))
            {
                await send(i);
            }
        }));
    }

    private static bool IsQueued(Answer answer) => answer is { Outcome: Outcome.Refused, Status: 429, QueueTicket: not null };

    /// <summary>An answer in a word for the counts: errors together (their causes vary), the rest by status or outcome.</summary>
    private static string DetailOf(Answer answer) => answer.Outcome switch
    {
        Outcome.Error => ErrorDetail,
        Outcome.Refused => answer.QueueTicket is null ? $"{answer.Status} without a ticket" : $"{answer.Status} with a ticket",
        _ => RunReport.Name(answer.Outcome),
    };

    private static string KeyOf(CitizenPlan citizen) => citizen.CitizenId + "-k1";

    /// <summary>A citizen holding a ticket: their request again, with the latest ticket an answer gave them.</summary>
    private sealed class Holder(int index, string citizenId, string key, string ticket)
    {
        private string ticket = ticket;

        public int Index { get; } = index;

        public string CitizenId { get; } = citizenId;

        public string Key { get; } = key;

        public string Ticket
        {
            get => Volatile.Read(ref ticket);
            set => Volatile.Write(ref ticket, value);
        }
    }

    private sealed record Taken(
        IReadOnlyList<Holder> Holders, IReadOnlyList<SeenPurchase> Bought, IReadOnlyDictionary<string, long> Other, double Seconds, long Errors);

    /// <summary>A round's answers, counted from every loop at once.</summary>
    private sealed class RoundTally
    {
        private readonly ConcurrentDictionary<string, long> unexpected = new();
        private long answers;
        private long expected;
        private long positionMin = long.MaxValue;

        public long Answers => Interlocked.Read(ref answers);

        public long Expected => Interlocked.Read(ref expected);

        public IReadOnlyDictionary<string, long> Unexpected => new SortedDictionary<string, long>(unexpected, StringComparer.Ordinal);

        public long? PositionMin => Interlocked.Read(ref positionMin) is var min && min < long.MaxValue ? min : null;

        public void Count(Answer answer, bool isExpected)
        {
            Interlocked.Increment(ref answers);
            if (isExpected)
            {
                Interlocked.Increment(ref expected);
            }
            else
            {
                unexpected.AddOrUpdate(DetailOf(answer), 1, (_, n) => n + 1);
            }

            for (var seen = Interlocked.Read(ref positionMin); answer.Position is { } position && position < seen; seen = Interlocked.Read(ref positionMin))
            {
                if (Interlocked.CompareExchange(ref positionMin, position, seen) == seen)
                {
                    break;
                }
            }
        }
    }
}
