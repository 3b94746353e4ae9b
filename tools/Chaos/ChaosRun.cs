using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;
using Orleans.Runtime;

namespace Ledger.Chaos;

/// <summary>
/// Opens a fresh sale, drives an open run of buyers against it, strikes a fault where the sale's
/// program-month grain lives once the sale is selling, repairs it, lets every buyer finish, and then checks
/// PostgreSQL against everything the buyers were told. On a sale that takes payment (<see cref="ChaosOptions.Payments"/>)
/// it also waits for every hold to end and every refund to be delivered, and checks each payer's money at the provider.
/// </summary>
/// <param name="verdictGrains">
/// Where the verdict asks for the audit and the reconciliation, through a client that waits long enough for them
/// (<see cref="ChaosClient.VerdictResponseTimeout"/>); <paramref name="grains"/> when null.
/// </param>
public sealed class ChaosRun(
    IGrainFactory grains, string connectionString, ChaosOptions options, Action<string> log, IGrainFactory? verdictGrains = null)
{
    /// <summary>How often the arrivals loop lets new buyers in.</summary>
    private static readonly TimeSpan ArrivalTick = TimeSpan.FromMilliseconds(10);

    /// <summary>Attempts to open the sale before the run gives up.</summary>
    private const int OpenAttemptsMax = 10;

    private readonly PaymentCheck? payments = options.Payments is { } paid ? new PaymentCheck(connectionString, paid, log) : null;
    private readonly Stopwatch clock = new();
    private readonly List<RetryingClient> clients = [];
    private readonly List<Task> running = [];
    private readonly ConcurrentQueue<long> answeredAt = new();
    private readonly TaskCompletionSource enoughConfirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long faultAt = long.MaxValue;
    private long resumedAt = long.MaxValue;
    private int confirmed;

    public async Task<ChaosReport> RunAsync(IChaosFault fault)
    {
        var (sale, policy) = await OpenSaleAsync();
        log($"sale {sale.Key} open: {options.ArrivalsPerSecond} buyers a second, the fault strikes after {options.ConfirmationsBeforeFault} confirmations");
        using var stopArrivals = new CancellationTokenSource();
        using var giveUp = new CancellationTokenSource();
        clock.Start();
        var arrivals = ArriveAsync(sale, stopArrivals.Token, giveUp.Token);
        var repairedAt = TimeSpan.Zero;
        var arrivalsStoppedAt = long.MaxValue;
        try
        {
            await enoughConfirmed.Task.WaitAsync(options.ResumeTimeout);
            var hotSilo = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(City(sale))
                ?? throw new InvalidOperationException($"The grain of {sale.Key} is not active anywhere.");
            await fault.InjectAsync(hotSilo);
            // From here the fault holds (the silo is dead, the database down); answers to attempts made
            // while the inject command was still running do not count as purchases coming back.
            Interlocked.Exchange(ref faultAt, clock.ElapsedTicks);
            log($"{At()} fault: {fault.Description}");
            await HoldAsync(fault);
            await fault.RepairAsync();
            repairedAt = clock.Elapsed;
            log($"{At()} repaired; buyers keep arriving for {options.LoadAfterRepair.TotalSeconds:F0} s");
            await Task.Delay(options.LoadAfterRepair);
        }
        finally
        {
            await stopArrivals.CancelAsync();
            await arrivals;
            arrivalsStoppedAt = clock.ElapsedTicks;
            giveUp.CancelAfter(options.BuyersSettleTimeout);
            await Task.WhenAll(running);
        }

        log($"{At()} every buyer has finished");
        var settledAfter = payments is null ? TimeSpan.Zero : await payments.WaitSettledAsync(sale);
        log($"{At()} checking the ledger");
        return await JudgeAsync(sale, policy, fault, repairedAt, arrivalsStoppedAt, settledAfter);
    }

    private async Task<(ProgramMonth Sale, Policy Policy)> OpenSaleAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var sale = new ProgramMonth($"chaos-{Guid.NewGuid():N}"[..18], ProgramMonth.MonthOf(now));
        var policy = new Policy(
            now.AddMinutes(-1), DiscountBps: 1_000, CitizenMonthlyLimit: options.Amount, Unit: options.Amount,
            new ChannelAmounts(options.CapPurchases * options.Amount, 0));
        if (options.Payments is { } paid)
        {
            policy = policy with { Payment = PaymentMethod.Account, HoldSeconds = paid.HoldSeconds };
        }

        // The operator opening the sale retries like any client: right after an earlier fault, a silo can
        // still fail a first call on a database connection that broke meanwhile.
        for (var attempt = 1; attempt <= OpenAttemptsMax; attempt++)
        {
            try
            {
                var result = await City(sale).SetPolicyAsync(policy);
                if (result.Outcome == SetPolicyOutcome.Saved)
                {
                    return (sale, policy);
                }

                if (result.Outcome != SetPolicyOutcome.Busy)
                {
                    throw new InvalidOperationException($"Opening {sale.Key} failed: {result.Outcome}.");
                }
            }
            catch (Exception e) when (e is not InvalidOperationException && attempt < OpenAttemptsMax)
            {
                log($"opening {sale.Key} failed ({e.GetType().Name}: {e.Message.Split('\n')[0]}); trying again");
            }

            await Task.Delay(RetryPolicy.AppLike.BackoffMax);
        }

        throw new InvalidOperationException($"Opening {sale.Key} was answered Busy {OpenAttemptsMax} times.");
    }

    /// <summary>New buyers at the set rate, whatever the answers: an open run.</summary>
    private async Task ArriveAsync(ProgramMonth sale, CancellationToken stop, CancellationToken giveUp)
    {
        using var timer = new PeriodicTimer(ArrivalTick);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var due = Math.Min((long)(clock.Elapsed.TotalSeconds * options.ArrivalsPerSecond), ChaosOptions.ArrivalsMax);
                while (clients.Count < due)
                {
                    var client = new RetryingClient(new PurchaseRequest(
                        sale, $"c{Guid.NewGuid():N}", Guid.NewGuid().ToString("N"), Channel.Mobile, options.Amount));
                    clients.Add(client);
                    running.Add(client.RunAsync(grains, RetryPolicy.AppLike, clock, giveUp, onFinal: OnFinal));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Arrivals stop here; the buyers already in go on.
        }
    }

    private void OnFinal(RetryingClient client, long attemptStartedAt)
    {
        var now = clock.ElapsedTicks;
        answeredAt.Enqueue(now);
        if (client.Final!.IsConfirmed && Interlocked.Increment(ref confirmed) == options.ConfirmationsBeforeFault)
        {
            enoughConfirmed.TrySetResult();
        }

        if (attemptStartedAt > Interlocked.Read(ref faultAt) && Interlocked.CompareExchange(ref resumedAt, now, long.MaxValue) == long.MaxValue)
        {
            log($"{At()} purchases answered again");
            resumed.TrySetResult();
        }
    }

    /// <summary>Holds the fault for its set time, or until purchases are answered again.</summary>
    private async Task HoldAsync(IChaosFault fault)
    {
        if (fault.HoldFor is { } hold)
        {
            await Task.Delay(hold);
            return;
        }

        try
        {
            await resumed.Task.WaitAsync(options.ResumeTimeout);
        }
        catch (TimeoutException)
        {
            log($"{At()} purchases not answered within {options.ResumeTimeout.TotalSeconds:F0} s of the fault; repairing anyway");
        }
    }

    /// <summary>
    /// Reads the sale from PostgreSQL and hands it, with every confirmation and final answer the buyers got, to
    /// the auditor (the payment auditor, with every payer's money, on a sale that takes payment); then checks what
    /// this run expects of each answer and the database's own audit.
    /// </summary>
    private async Task<ChaosReport> JudgeAsync(
        ProgramMonth sale, Policy policy, IChaosFault fault, TimeSpan repairedAt, long arrivalsStoppedAt, TimeSpan settledAfter)
    {
        List<string> problems;
        int purchases;
        ChannelAmounts soldByLedger;
        ChannelAmounts? soldByCounter;
        PaymentFigures? figures = null;
        if (payments is null)
        {
            var ledger = await LedgerTables.ReadAsync(connectionString, sale, policy);
            problems = [.. Finding.Summarize(
                LedgerAuditor.Audit(ledger, clients.SelectMany(c => c.Confirmations), clients.Select(c => c.Answer).ToArray()))];
            (purchases, soldByLedger, soldByCounter) = (ledger.PurchaseCount, ledger.SoldByEntries(), ledger.SoldCounters);
        }
        else
        {
            (var ledger, figures, problems) = await payments.JudgeAsync(sale, policy, VerdictCity(sale), clients, settledAfter);
            (purchases, soldByLedger, soldByCounter) = (ledger.ConfirmedCount, ledger.SoldByEntries(), ledger.SoldCounters);
        }

        CheckAnswers(problems);
        var audit = await AuditAsync(sale, problems);
        return new ChaosReport(
            sale, fault.Description, policy.Caps.Mobile, clients.Count,
            clients.GroupBy(c => c.Final?.Outcome.ToString() ?? "none").ToDictionary(g => g.Key, g => g.Count()),
            clients.Sum(c => c.Attempts), clients.Sum(c => c.Failures), clients.Sum(c => c.Busy),
            Ticks(faultAt), repairedAt,
            resumedAt == long.MaxValue ? null : Ticks(resumedAt - faultAt),
            LongestSilence(arrivalsStoppedAt), clock.Elapsed,
            clients.Sum(c => c.ConfirmationsSeen.Count), purchases, soldByLedger.Mobile,
            soldByCounter?.Mobile ?? 0, audit, problems, figures);
    }

    /// <summary>The grain's own audit of the sale (counters, held amounts and open holds against the entries).</summary>
    private async Task<AuditReport?> AuditAsync(ProgramMonth sale, List<string> problems)
    {
        AuditReport? audit = null;
        try
        {
            audit = await VerdictCity(sale).AuditAsync();
        }
        catch (Exception e)
        {
            problems.Add($"the audit could not run: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }

        if (audit is { Consistent: false })
        {
            problems.Add($"the audit is inconsistent: {audit}");
        }

        return audit;
    }

    /// <summary>
    /// Each buyer, buying once within the limit, was finally told Confirmed or SoldOut, or on a sale that takes
    /// payment PaymentDeclined (402 over HTTP); the auditor checks each was told.
    /// </summary>
    private void CheckAnswers(List<string> problems)
    {
        var odd = clients.Where(c => c.Final is { Outcome: var outcome } && !(outcome is PurchaseOutcome.Confirmed or PurchaseOutcome.SoldOut
            || (payments is not null && outcome == PurchaseOutcome.PaymentDeclined))).ToArray();
        if (odd.Length > 0)
        {
            problems.Add($"{odd.Length} requests were finally answered neither Confirmed nor SoldOut" +
                $"{(payments is null ? "" : " nor PaymentDeclined")}, e.g. {odd[0].Describe()}");
        }
    }

    /// <summary>The longest gap between final answers from the fault until buyers stopped arriving.</summary>
    private TimeSpan LongestSilence(long arrivalsStoppedAt)
    {
        if (faultAt == long.MaxValue)
        {
            return TimeSpan.Zero;
        }

        var times = answeredAt.Where(t => t >= faultAt && t <= arrivalsStoppedAt).Order()
            .Prepend(faultAt).Append(arrivalsStoppedAt).ToArray();
        return Ticks(times.Zip(times[1..], (a, b) => b - a).Max());
    }

    private ICityMonthGrain City(ProgramMonth sale) => grains.GetGrain<ICityMonthGrain>(sale.Key);

    private ICityMonthGrain VerdictCity(ProgramMonth sale) => (verdictGrains ?? grains).GetGrain<ICityMonthGrain>(sale.Key);

    private string At() => $"[{clock.Elapsed.TotalSeconds,6:F2} s]";

    private static TimeSpan Ticks(long stopwatchTicks) => TimeSpan.FromSeconds((double)stopwatchTicks / Stopwatch.Frequency);
}
