namespace Ledger.Bench;

/// <summary>
/// What <c>--json</c> writes: the headline figures first (the mode's run, the baseline's rate and the ratio,
/// the gateway's no-op ceiling in http mode), then each run in full. <see cref="RequestsPerSecond"/> counts every
/// request (state polls and cancels too); <see cref="PurchaseRequestsPerSecond"/> only purchases, which is what
/// <see cref="RatioToNoOp"/> compares with the no-op ceiling. <see cref="GrainHopsShareOfNoOp"/> is the grain-hops
/// floor (the pipeline and the path's two grain calls, no ledger work) over the no-op ceiling: the most of the
/// ceiling any purchase making those calls can reach. In an open-loop run (<c>--rate</c>) the ratio to
/// the baseline compares an offered rate with a capacity, so it is only a capacity ratio in closed-loop runs.
/// With <c>--pre-queue</c>: how long after the opening the last citizen had every final answer and the sale sold
/// out, against issue 15's target (<see cref="AnsweredAfterOpeningMaxSeconds"/>). <see cref="ServerErrors"/>
/// counts every answer with a 5xx status, 503 included (<see cref="Unavailable503"/> of them). In grains mode,
/// <see cref="Commits"/> profiles the run's commits.
/// </summary>
public sealed record BenchReport(
    string Mode,
    string Scenario,
    int Citizens,
    IReadOnlyList<string> Arguments,
    DateTimeOffset At,
    double ConfirmedPerSecond,
    double RequestsPerSecond,
    double PurchaseRequestsPerSecond,
    double P99Ms,
    double? BaselinePerSecond,
    double? RatioToBaseline,
    double? SellOutSeconds,
    double AllAnsweredSeconds,
    long Errors,
    bool Oversold,
    bool AuditConsistent,
    bool InvariantsHold,
    double? NoOpRequestsPerSecond,
    double? RatioToNoOp,
    double? GrainHopsRequestsPerSecond,
    double? GrainHopsShareOfNoOp,
    double GoodputPerSecond,
    double PeakConfirmedPerSecond,
    double? OfferedPerSecond,
    OutcomeStats Refused,
    IReadOnlyDictionary<string, long> PeakMemoryBytes,
    RunReport Run,
    RunReport? Baseline,
    RunReport? NoOp,
    RunReport? GrainHops,
    long ServerErrors,
    long Unavailable503,
    double? AllAnsweredAfterOpeningSeconds,
    double? SellOutAfterOpeningSeconds,
    bool? AnsweredAfterOpeningTargetMet,
    CommitProfile? Commits)
{
    /// <summary>Issue 15: with a pre-queue, everyone answered within this long of the opening.</summary>
    public const double AnsweredAfterOpeningMaxSeconds = 20;

    public static BenchReport Create(
        string[] arguments, RunReport run, RunReport? baseline, RunReport? noOp, RunReport? grainHops, CommitProfile? commits = null)
    {
        IEnumerable<RunReport> checkedRuns = baseline is null ? [run] : [run, baseline];
        var purchaseRequestsPerSecond = run.Purchases.Count / run.ElapsedSeconds;
        return new BenchReport(
            run.Mode, run.Scenario, run.Citizens, WithoutConnectionString(arguments), DateTimeOffset.UtcNow,
            run.ConfirmedPerSecond, run.RequestsPerSecond, purchaseRequestsPerSecond, run.Purchases.P99Ms,
            baseline?.ConfirmedPerSecond, baseline is null ? null : run.ConfirmedPerSecond / baseline.ConfirmedPerSecond,
            run.SellOutSeconds, run.ElapsedSeconds, run.Errors,
            checkedRuns.Any(r => r.Invariants?.Oversold == true),
            checkedRuns.All(r => r.Invariants?.AuditConsistent != false),
            checkedRuns.All(r => r.InvariantsHold),
            // The no-op run sends purchases only, so it is compared with the purchase requests alone.
            noOp?.RequestsPerSecond, noOp is null ? null : purchaseRequestsPerSecond / noOp.RequestsPerSecond,
            grainHops?.RequestsPerSecond,
            grainHops is null || noOp is null ? null : grainHops.RequestsPerSecond / noOp.RequestsPerSecond,
            run.GoodputPerSecond, run.PeakConfirmedPerSecond, run.OfferedPerSecond,
            run.Outcomes[RunReport.Name(Outcome.Refused)],
            MemoryWatch.PeakBytes(watched: run.Mode == "http"), run, baseline, noOp, grainHops,
            run.ServerErrors, run.Unavailable503, run.AnsweredAfterOpeningSeconds,
            run.SellOutSeconds - run.OpeningSeconds,
            run.AnsweredAfterOpeningSeconds <= AnsweredAfterOpeningMaxSeconds && run.ServerErrors == 0, commits);
    }

    /// <summary>The arguments without --connection's value, which holds a password.</summary>
    public static string[] WithoutConnectionString(string[] arguments) =>
        arguments.Where((_, i) => arguments[i] != "--connection" && (i == 0 || arguments[i - 1] != "--connection")).ToArray();
}
