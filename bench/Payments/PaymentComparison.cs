using System.Globalization;
using Ledger.Grains.Payments;
using Ledger.Testing;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The two-phase purchase beside the one-phase one in one invocation (issue 17, <c>--payment</c>): the payment
/// sandbox started as its own process on a free port, its record in the same database, answering every bank request
/// in <see cref="LatencyMs"/> and with no other fault. Then rounds of the scenario, each on fresh sales and citizens
/// and in a fresh silo in-process whose <c>Ledger:Payments:BaseUrl</c> names the sandbox (so that no round carries
/// the grains and garbage of the ones before): A without payment, B with payment by account, <c>--rounds</c> pairs in
/// the order A B, B A, A B... (the machine is shared and noisy, and the later round of a pair shares it with the
/// earlier one's database work settling, so each kind goes first as often), after an unmeasured round of each on a
/// few citizens (the process's JIT). Each round's invariants are checked before the next starts, for B with the
/// payers' money (<see cref="PaidInvariants"/>).
/// </summary>
public static class PaymentComparison
{
    public const int CitizensDefault = 50_000;

    public const int RoundPairsDefault = 2;

    /// <summary>Citizens of each unmeasured warm-up round, at most.</summary>
    public const int WarmUpCitizensMax = 10_000;

    /// <summary>The scenarios whose sales can take payment.</summary>
    public static readonly string[] Scenarios = ["single-hot", "dec-2022", "nationwide"];

    /// <summary>The sandbox's latency, as issue 17's target sets it: each bank request answered after 5 to 50 ms.</summary>
    public static readonly int[] LatencyMs = [5, 50];

    public static async Task<int> RunAsync(BenchOptions options, string[] args)
    {
        await using var sandbox = await PaymentSandboxProcess.StartAsync(options.ConnectionString);
        await using var data = NpgsqlDataSource.Create(options.ConnectionString);
        var shape = new LoadShape(options.Concurrency, options.RampSeconds, options.Rate);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"payment comparison: {options.Scenario}, {options.Citizens} citizens a round, {options.Rounds} x (one-phase, two-phase) " +
            $"alternated, grains mode; the payment sandbox on {sandbox.BaseAddress} answering in {LatencyMs[0]}-{LatencyMs[1]} ms"));

        var rounds = new List<PaymentRound>();
        var warmUp = Math.Min(options.Citizens, WarmUpCitizensMax);
        foreach (var paid in new[] { false, true })
        {
            rounds.Add(await RoundAsync(data, sandbox, options, shape, warmUp, pair: 0, paid));
        }

        for (var pair = 1; pair <= options.Rounds; pair++)
        {
            foreach (var paid in pair % 2 == 1 ? new[] { false, true } : [true, false])
            {
                rounds.Add(await RoundAsync(data, sandbox, options, shape, options.Citizens, pair, paid));
            }
        }

        var report = PaymentReport.Create(args, options, rounds);
        PaymentConsole.Write(report);
        await JsonReport.WriteAsync(options.JsonFile, report);
        return report.Passed ? 0 : 1;
    }

    /// <param name="pair">The pair the round belongs to; 0 for a warm-up.</param>
    private static async Task<PaymentRound> RoundAsync(
        NpgsqlDataSource data, PaymentSandboxProcess sandbox, BenchOptions options, LoadShape shape, int citizens, int pair, bool paid)
    {
        // The sandbox must still answer (it is told its faults again), or the round would only measure its absence.
        await sandbox.SetFaultsAsync(new { latencyMs = LatencyMs });
        // What the silo of the round before left is garbage now: collected before the clock starts, not during the round.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        await using var silo = await SiloHost.StartAsync(
            options.ConnectionString, [new($"{PaymentOptions.Section}:{nameof(PaymentOptions.BaseUrl)}", sandbox.BaseAddress.ToString())]);
        var scenario = Scenario.Create(options.Scenario, citizens, options.Supply);
        scenario = paid ? scenario.Paid() : scenario;
        var kind = paid ? PaymentRound.TwoPhase : PaymentRound.OnePhase;
        var driver = new GrainsDriver(silo.Grains);
        using var watch = new SiloWatch();
        SiloFigures? figures = null;
        PaymentCheck? payments = null;
        var run = await ScenarioRun.RunAsync(driver, scenario, shape, async measurements =>
        {
            figures = watch.Snapshot();
            if (!paid)
            {
                return await LedgerInvariants.CheckAsync(data, scenario, measurements.Seen);
            }

            (var invariants, payments) = await PaidInvariants.CheckAsync(data, sandbox, scenario, measurements.Seen);
            return invariants;
        }, pair == 0 ? $"{kind} warm-up" : string.Create(CultureInfo.InvariantCulture, $"{kind} pair {pair}"));
        return new PaymentRound(pair, kind, pair == 0, scenario.Sales[0].ProgramMonth.Key, driver.PendingAnswers, run, figures!, payments);
    }
}
