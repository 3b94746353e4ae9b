using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// The 09:00 crowd against a running gateway (issue 14): <c>--citizens</c> buyers arriving evenly over
/// <c>--ramp</c> seconds, each with their own token (minted before the clock starts) and each attempt on a
/// new connection, for one program-month whose cap covers <c>--supply</c> of them; <c>GET /health/ready</c>
/// polled throughout; then one more purchase and the sale's state, and the invariants from the database.
/// Before it, in the same run, the closed-loop peak its goodput is compared with (<see cref="ClosedLoopPeak"/>).
/// </summary>
public sealed class StormRun : IDisposable
{
    public const int CitizensDefault = 30_000;
    public const double RampSecondsDefault = 3;
    public const double SupplyDefault = 0.5;

    /// <summary>Past the last arrival and a buyer's whole time: the storm ends even if something hangs.</summary>
    public static readonly TimeSpan RunSlackMax = TimeSpan.FromMinutes(1);

    /// <summary>Details of a failed connect that are this process's own shortage (file handles, local ports, buffers).</summary>
    private static readonly string[] ClientSideConnectFailures =
        ["connect TooManyOpenSockets", "connect AddressNotAvailable", "connect NoBufferSpaceAvailable", "connect AddressAlreadyInUse"];

    private readonly BenchOptions options;
    private readonly (long Soft, long Hard)? limits;
    private readonly StormSale sale;
    private readonly Uri gateway;
    private readonly Stopwatch clock = new();
    private readonly StormCounters counters;
    private readonly ConnectionSlots slots;
    private readonly ReadinessProbe probe;
    private readonly ProcessWatch watch = new();
    private readonly StormProgress progress;

    private StormRun(BenchOptions options, (long Soft, long Hard)? limits)
    {
        this.options = options;
        this.limits = limits;
        sale = StormSale.Create(options.Citizens, options.Supply ?? SupplyDefault);
        gateway = new Uri(options.Url);
        counters = new StormCounters(clock);
        slots = new ConnectionSlots(ConnectionSlots.Bound(limits?.Soft ?? ConnectionSlots.SlotsMax));
        probe = new ReadinessProbe(gateway, clock);
        progress = new StormProgress(sale.Buyers, counters, slots, probe, watch);
    }

    public static async Task<int> RunAsync(BenchOptions options, string[] args)
    {
        // Before anything opens a file: the limits this process runs the storm with.
        using var storm = new StormRun(options, FileLimit.Raise());
        var report = await storm.RunAsync(args);
        StormConsole.Write(report);
        await JsonReport.WriteAsync(options.JsonFile, report);

        return report.Passed ? 0 : 1;
    }

    public void Dispose()
    {
        slots.Dispose();
        probe.Dispose();
    }

    private async Task<StormReport> RunAsync(string[] args)
    {
        var minter = TokenMinter.FromEnvironment();
        var peak = await ClosedLoopPeak.MeasureAsync(options, sale, minter);
        await using (var admin = new HttpDriver(options.Url, 1, minter))
        {
            await admin.SetUpAsync(sale.AsScenario());
        }

        var tokens = new AuthenticationHeaderValue[sale.Buyers + 1];
        Parallel.For(0, sale.Buyers, i => tokens[i] = new("Bearer", minter.Mint(sale.CitizenOf(i))));
        tokens[^1] = new("Bearer", minter.Mint(sale.AfterStormCitizen));
        var readyBefore = await probe.IsReadyAsync();
        WriteHeader(readyBefore);

        using var stop = new CancellationTokenSource();
        clock.Start();
        var polling = probe.RunAsync(stop.Token);
        var ticking = progress.RunAsync(stop.Token);
        var (results, lagMax) = await BuyersAsync(tokens);
        var (after, afterLatency) = await AfterStormAsync(tokens[^1]);
        var (stateStatus, state) = await StateAsync();
        await stop.CancelAsync();
        await Task.WhenAll(polling, ticking);
        progress.Tick();

        var confirmed = results.Select((r, i) => (r.Final, Citizen: sale.CitizenOf(i)))
            .Append((Final: after, Citizen: sale.AfterStormCitizen))
            .Where(c => c.Final?.Kind == AttemptKind.Confirmed)
            .Select(c => new SeenPurchase(0, c.Citizen, Channel.Mobile, StormSale.Amount, c.Final!.Value.Sequence));
        var invariants = await LedgerInvariants.TryCheckAsync(options.ConnectionString, sale.AsScenario(), confirmed);
        return Report(args, results, lagMax, readyBefore, AfterStormPurchase.From(after, afterLatency), stateStatus, state, invariants, peak);
    }

    /// <summary>Starts each buyer at their arrival instant, without waiting for anyone's answers; returns once all have ended.</summary>
    private async Task<(BuyerResult[] Results, double LagMaxSeconds)> BuyersAsync(AuthenticationHeaderValue[] tokens)
    {
        using var runBound = new CancellationTokenSource(TimeSpan.FromSeconds(options.RampSeconds) + StormBuyer.BuyerTimeMax + RunSlackMax);
        var buyer = new StormBuyer(gateway, sale.PurchasesPath, sale.Body, slots, counters);
        var buying = new Task<BuyerResult>[sale.Buyers];
        var lagMax = 0.0;
        for (var i = 0; i < sale.Buyers; i++)
        {
            var due = options.RampSeconds * i / sale.Buyers;
            if (due - clock.Elapsed.TotalSeconds is var wait and > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait));
            }

            lagMax = Math.Max(lagMax, clock.Elapsed.TotalSeconds - due);
            counters.Arrival();
            var (index, arrived) = (i, Stopwatch.GetTimestamp());
            buying[i] = Task.Run(() => buyer.BuyAsync(tokens[index], sale.KeyOf(index), arrived, runBound.Token));
        }

        return (await Task.WhenAll(buying), lagMax);
    }

    /// <summary>A fresh citizen's purchase once the storm is over: one attempt on a new connection, as a phone makes it.</summary>
    private async Task<(AttemptAnswer Answer, TimeSpan Latency)> AfterStormAsync(AuthenticationHeaderValue token)
    {
        var started = Stopwatch.GetTimestamp();
        var answer = await PhoneAttempt.PurchaseAsync(gateway, sale.PurchasesPath, token, "storm-after", sale.Body, null, null, CancellationToken.None);
        if (answer.Kind == AttemptKind.ServerError)
        {
            counters.ServerErrorNow();
        }

        return (answer, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The program-month's live state after the storm (status 0 when there was no answer).</summary>
    private async Task<(int Status, JsonElement? Body)> StateAsync()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = gateway,
            Timeout = PhoneAttempt.AttemptTimeoutMax,
        };
        try
        {
            using var response = await client.GetAsync(sale.StatePath);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            using var json = JsonDocument.Parse(bytes);
            return ((int)response.StatusCode, json.RootElement.Clone());
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or JsonException)
        {
            return (0, null);
        }
    }

    private void WriteHeader(bool readyBefore) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"storm: {sale.Buyers} buyers over {options.RampSeconds} s, a new connection per attempt, against {gateway}; " +
        $"{sale.Sale.ProgramMonth} caps {sale.CapPurchases} purchases of {StormSale.Amount} won; " +
        $"this process: open files {limits?.Soft.ToString(CultureInfo.InvariantCulture) ?? "?"} " +
        $"(hard {limits?.Hard.ToString(CultureInfo.InvariantCulture) ?? "?"}), " +
        $"at most {slots.Count} connections; the gateway says {(readyBefore ? "ready" : "NOT ready")} before the storm"));

    private StormReport Report(
        string[] args, BuyerResult[] results, double lagMax, bool readyBefore, AfterStormPurchase after,
        int stateStatus, JsonElement? state, InvariantReport? invariants, ClosedLoopPeak peak)
    {
        var answered = results.Where(r => r.Final is not null).ToArray();
        var firstCap = results.Take(sale.CapPurchases).ToArray();
        var byDetail = counters.ByDetail;
        var confirmed = answered.Where(r => r.IsConfirmed).ToArray();
        // The storm's clock starts with the first arrival (due at 0), so instants on it are seconds from that arrival.
        double? sellOut = confirmed.Length == 0 ? null : confirmed.Max(r => r.FinalAt);
        var queuedSoldOutLag = TimeStats.Of(answered
            .Where(r => r.IsSoldOut && r.LastQueuedWaitSeconds is not null && sellOut is not null)
            .Select(r => r.FinalAt - sellOut!.Value - r.LastQueuedWaitSeconds!.Value));
        var goodput = sellOut > 0 ? confirmed.Length / sellOut : null;
        var placesLost = firstCap.Length == 0 ? 0 : (double)firstCap.Count(r => !r.IsConfirmed) / firstCap.Length;
        return new StormReport(
            Arguments: BenchReport.WithoutConnectionString(args),
            At: DateTimeOffset.UtcNow,
            Cores: Environment.ProcessorCount,
            Url: options.Url,
            ProgramMonth: sale.Sale.ProgramMonth.ToString(),
            Buyers: sale.Buyers,
            RampSeconds: options.RampSeconds,
            AmountPerBuyer: StormSale.Amount,
            CapPurchases: sale.CapPurchases,
            Confirmed: confirmed.Length,
            SoldOut: answered.Count(r => r.Final!.Value.Kind == AttemptKind.SoldOut),
            OtherAnswers: answered.Where(r => r.Final!.Value.Kind == AttemptKind.OtherAnswer)
                .GroupBy(r => r.Final!.Value.Detail).ToDictionary(g => g.Key, g => (long)g.Count()),
            Unanswered: results.Length - answered.Length,
            Attempts: counters.Attempts,
            AttemptsPerBuyerMax: results.Select(r => r.Attempts).DefaultIfEmpty().Max(),
            ConnectFailures: counters.Of(AttemptKind.ConnectFailed),
            ClientSideConnectFailures: ClientSideConnectFailures.Sum(d => byDetail.GetValueOrDefault(d)),
            ResetsOrClosedWithoutAnswer: counters.Of(AttemptKind.NoAnswer),
            TimedOut: counters.Of(AttemptKind.TimedOut),
            Unavailable503: counters.Of(AttemptKind.Unavailable),
            TooManyRequests429: counters.Of(AttemptKind.TooManyRequests),
            ServerErrors: counters.Of(AttemptKind.ServerError),
            AttemptsByDetail: byDetail,
            ConfirmedTimeToAnswer: TimeStats.Of(answered.Where(r => r.IsConfirmed).Select(r => r.Seconds)),
            AnsweredTimeToAnswer: TimeStats.Of(answered.Select(r => r.Seconds)),
            FirstCapNotConfirmed: firstCap.Count(r => !r.IsConfirmed),
            FirstCapNotConfirmedShare: placesLost,
            ReadyBeforeStorm: readyBefore,
            ReadyPolls: probe.Ready,
            NotReadyPolls: probe.NotReady,
            UnansweredPolls: probe.Unanswered,
            SaidReadyWhilePurchasesFailed: probe.ReadyDuring(counters.ServerErrorSeconds),
            AfterStorm: after,
            StateStatus: stateStatus,
            State: state,
            ClientFileLimit: limits?.Soft,
            ClientConnectionsMax: slots.Count,
            ClientConnectionsPeak: slots.OpenPeak,
            ClientSlotWaits: slots.Waits,
            ArrivalLagMaxSeconds: lagMax,
            PeakMemoryBytes: MemoryWatch.PeakBytes(watched: true),
            Processes: watch.Report(),
            SoldByLedger: invariants?.SoldByLedger,
            Invariants: invariants,
            Series: progress.Series,
            PlacesLostShare: placesLost,
            SellOutSeconds: sellOut,
            QueuedSoldOutLag: queuedSoldOutLag,
            GoodputPerSecond: goodput,
            ClosedLoopPeak: peak,
            GoodputShareOfPeak: goodput / (peak.PeakPerSecond > 0 ? peak.PeakPerSecond : null));
    }
}
