using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// What <c>--payment</c> reports (on the console and in <c>--json</c>): every round, then the headline: the two-phase
/// purchase's confirmed rate over the one-phase one's, each the mean of its measured rounds, and the same ratio per
/// pair, against issue 17's target (on single-hot). <see cref="Failures"/> names what is incorrect: requests that
/// failed, a broken invariant of either kind of sale.
/// </summary>
public sealed record PaymentReport(
    IReadOnlyList<string> Arguments,
    DateTimeOffset At,
    int Cores,
    string Scenario,
    int Citizens,
    IReadOnlyList<int> LatencyMs,
    IReadOnlyList<PaymentRound> Rounds,
    double OnePhasePerSecond,
    double TwoPhasePerSecond,
    double TwoPhaseShare,
    IReadOnlyList<double> PairShares,
    IReadOnlyDictionary<string, long> PeakMemoryBytes)
{
    /// <summary>Issue 17: the two-phase purchase at this share of the one-phase rate or more, on single-hot.</summary>
    public const double TwoPhaseShareMin = 0.60;

    /// <summary>Whether the target is met; null on a scenario it does not speak of.</summary>
    public bool? TargetMet => Scenario == "single-hot" ? TwoPhaseShare >= TwoPhaseShareMin : null;

    public bool Passed => Failures.Count == 0;

    public IReadOnlyList<string> Failures =>
        Rounds.SelectMany(r => RoundFailures(r).Select(f => $"{Label(r)}: {f}")).ToArray();

    public static PaymentReport Create(string[] arguments, BenchOptions options, IReadOnlyList<PaymentRound> rounds)
    {
        var measured = rounds.Where(r => !r.IsWarmUp).ToArray();
        double Mean(string kind) => measured.Where(r => r.Kind == kind).Average(r => r.ConfirmedPerSecond);
        var pairShares = measured.GroupBy(r => r.Pair)
            .Select(p => p.Single(r => r.Kind == PaymentRound.TwoPhase).ConfirmedPerSecond / p.Single(r => r.Kind == PaymentRound.OnePhase).ConfirmedPerSecond)
            .ToArray();
        var (one, two) = (Mean(PaymentRound.OnePhase), Mean(PaymentRound.TwoPhase));
        return new PaymentReport(
            BenchReport.WithoutConnectionString(arguments), DateTimeOffset.UtcNow, Environment.ProcessorCount, options.Scenario,
            options.Citizens, PaymentComparison.LatencyMs, rounds, one, two, two / one, pairShares, MemoryWatch.PeakBytes(watched: false));
    }

    public static string Label(PaymentRound round) => round.IsWarmUp
        ? $"{round.Kind} warm-up"
        : string.Create(CultureInfo.InvariantCulture, $"{round.Kind} pair {round.Pair}");

    private static IEnumerable<string> RoundFailures(PaymentRound round)
    {
        if (round.Run.Errors > 0)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{round.Run.Errors} requests failed, e.g. {round.Run.ErrorSamples.FirstOrDefault()}");
        }

        foreach (var broken in round.Run.Invariants?.Broken() ?? ["the invariants were not read"])
        {
            yield return broken;
        }
    }
}
