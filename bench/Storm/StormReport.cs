using System.Globalization;
using System.Text.Json;

namespace Ledger.Bench;

/// <summary>
/// What <c>--scenario storm</c> reports (on the console and in <c>--json</c>). Answers: final ones by kind,
/// buyers left without one, attempts by how they ended (<see cref="AttemptsByDetail"/> in words). Times run
/// from a buyer's arrival to their final answer, slot waits included. Fairness: of the first
/// <see cref="CapPurchases"/> buyers to arrive, those not confirmed. Readiness: the probe's polls, and its
/// ready answers in a second in which a purchase got a 5xx other than 503. The client's side: its open-file
/// limit, its bound on connections and how often a buyer waited for one, and how late the last arrival
/// started. <see cref="Failures"/> names what fails the run (only what is incorrect: an oversell or another broken
/// invariant, a 5xx other than 503, a buyer left unanswered); empty means it passed.
/// Issue 15's figures: <see cref="PlacesLostShare"/> (the fairness share again, as the issue names it); the
/// sell-out, when the client received the last 201 (<see cref="SellOutSeconds"/>, from the first arrival); for
/// buyers who were queued (at least one 429) and ended sold-out, the seconds from the sell-out to their sold-out
/// answer less the wait their last 429 told them (<see cref="QueuedSoldOutLag"/>: a buyer told at once when they
/// came back is near 0, one who came back early and was queued again is positive); goodput, confirmed purchases
/// per second from the first arrival to the sell-out; and the closed-loop peak measured just before the storm.
/// <see cref="Targets"/> says which of the issue's targets this run met.
/// </summary>
public sealed record StormReport(
    IReadOnlyList<string> Arguments,
    DateTimeOffset At,
    int Cores,
    string Url,
    string ProgramMonth,
    int Buyers,
    double RampSeconds,
    long AmountPerBuyer,
    int CapPurchases,
    long Confirmed,
    long SoldOut,
    IReadOnlyDictionary<string, long> OtherAnswers,
    long Unanswered,
    long Attempts,
    int AttemptsPerBuyerMax,
    long ConnectFailures,
    long ClientSideConnectFailures,
    long ResetsOrClosedWithoutAnswer,
    long TimedOut,
    long Unavailable503,
    long TooManyRequests429,
    long ServerErrors,
    IReadOnlyDictionary<string, long> AttemptsByDetail,
    TimeStats ConfirmedTimeToAnswer,
    TimeStats AnsweredTimeToAnswer,
    long FirstCapNotConfirmed,
    double FirstCapNotConfirmedShare,
    bool ReadyBeforeStorm,
    long ReadyPolls,
    long NotReadyPolls,
    long UnansweredPolls,
    long SaidReadyWhilePurchasesFailed,
    AfterStormPurchase AfterStorm,
    int StateStatus,
    JsonElement? State,
    long? ClientFileLimit,
    int ClientConnectionsMax,
    int ClientConnectionsPeak,
    long ClientSlotWaits,
    double ArrivalLagMaxSeconds,
    IReadOnlyDictionary<string, long> PeakMemoryBytes,
    IReadOnlyList<WatchedProcess> Processes,
    long? SoldByLedger,
    InvariantReport? Invariants,
    IReadOnlyList<StormSecond> Series,
    double PlacesLostShare,
    double? SellOutSeconds,
    TimeStats QueuedSoldOutLag,
    double? GoodputPerSecond,
    ClosedLoopPeak ClosedLoopPeak,
    double? GoodputShareOfPeak)
{
    /// <summary>Issue 15: of the first cap's worth of arrivals, at most this share not confirmed.</summary>
    public const double PlacesLostMax = 0.01;

    /// <summary>Issue 15: confirmed buyers' median time from arrival to their 201.</summary>
    public const double ConfirmedMedianWaitMaxSeconds = 10;

    /// <summary>Issue 15: a queued buyer is told sold-out within this long of the sell-out, past the wait they were told.</summary>
    public const double QueuedSoldOutLagMaxSeconds = 2;

    /// <summary>Issue 15: the storm's goodput over the closed-loop peak.</summary>
    public const double GoodputShareOfPeakMin = 0.90;

    public bool Passed => Failures.Count == 0;

    public long CapWon => CapPurchases * AmountPerBuyer;

    /// <summary>
    /// Exactly the cap must be sold when demand (the buyers and the one after) passes it and every answer was
    /// a confirmation or a sell-out; otherwise, at most the cap.
    /// </summary>
    public bool ExactCapExpected => Buyers + 1L > CapPurchases && OtherAnswers.Count == 0 && Unanswered == 0 && AfterStorm.Served;

    /// <summary>Purchases confirmed to a client: the buyers' and the one after the storm.</summary>
    public long ConfirmedToClients => Confirmed + (AfterStorm.Status == 201 ? 1 : 0);

    public IReadOnlyList<string> Failures
    {
        get
        {
            var failures = new List<string>();
            void Fail(bool failed, string what)
            {
                if (failed)
                {
                    failures.Add(what);
                }
            }

            Fail(ServerErrors > 0, $"{ServerErrors} purchase answers were a 5xx other than 503");
            Fail(Unanswered > 0, $"{Unanswered} buyers had no final answer");
            Fail(!AfterStorm.Served, $"the purchase after the storm was not served normally: {AfterStorm.Answer}");
            Fail(Invariants is null, "the invariants could not be read from the database");
            failures.AddRange(Invariants?.Broken() ?? []);
            Fail(ExactCapExpected && SoldByLedger is { } sold && sold != CapWon, $"{SoldByLedger} won sold, not exactly the cap of {CapWon}");
            // With every buyer (and the one after) answered, a purchase the ledger holds was confirmed to its buyer (a lost answer's retry gets it again).
            Fail(Unanswered == 0 && AfterStorm.Served && SoldByLedger is { } ledger && ledger != ConfirmedToClients * AmountPerBuyer,
                $"the ledger sold {SoldByLedger} won, but {ConfirmedToClients} purchases of {AmountPerBuyer} were confirmed to buyers");
            Fail(ClosedLoopPeak.Invariants is null, "the closed-loop peak's invariants could not be read from the database");
            failures.AddRange(ClosedLoopPeak.Invariants?.Broken().Select(b => $"closed-loop peak: {b}") ?? []);
            Fail(ClosedLoopPeak.Errors > 0, $"{ClosedLoopPeak.Errors} closed-loop peak purchases had no answer or an unexpected one " +
                $"({ClosedLoopPeak.ServerErrors - ClosedLoopPeak.Unavailable503} of them a 5xx other than 503)");
            return failures;
        }
    }

    public IReadOnlyList<StormTarget> Targets =>
    [
        new("exactly the cap sold", $"{CapWon} won", SoldByLedger is { } sold ? $"{sold} won" : "not read", SoldByLedger == CapWon),
        new("places lost (first arrivals within the cap not confirmed)", Percent(PlacesLostMax, "<="),
            $"{FirstCapNotConfirmed} ({Percent(PlacesLostShare)})", PlacesLostShare <= PlacesLostMax),
        new("confirmed buyers' median wait", Seconds(ConfirmedMedianWaitMaxSeconds, "<="),
            ConfirmedTimeToAnswer.Count == 0 ? "none confirmed" : Seconds(ConfirmedTimeToAnswer.MedianSeconds),
            ConfirmedTimeToAnswer.Count > 0 && ConfirmedTimeToAnswer.MedianSeconds <= ConfirmedMedianWaitMaxSeconds),
        new("queued buyers told sold-out after the sell-out, less their last Retry-After (max)", Seconds(QueuedSoldOutLagMaxSeconds, "<="),
            QueuedSoldOutLag.Count == 0
                ? "no queued buyer ended sold-out"
                : $"max {Seconds(QueuedSoldOutLag.MaxSeconds)}, p99 {Seconds(QueuedSoldOutLag.P99Seconds)} ({QueuedSoldOutLag.Count} buyers)",
            QueuedSoldOutLag.Count == 0 || QueuedSoldOutLag.MaxSeconds <= QueuedSoldOutLagMaxSeconds),
        new("goodput / closed-loop peak", Percent(GoodputShareOfPeakMin, ">="),
            GoodputShareOfPeak is { } share
                ? string.Create(CultureInfo.InvariantCulture, $"{Percent(share)} ({GoodputPerSecond:F0}/s of {ClosedLoopPeak.PeakPerSecond:F0}/s)")
                : "no goodput or no peak",
            GoodputShareOfPeak >= GoodputShareOfPeakMin),
    ];

    private static string Percent(double share, string? bound = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{(bound is null ? "" : bound + " ")}{share * 100:F1}%");

    private static string Seconds(double seconds, string? bound = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{(bound is null ? "" : bound + " ")}{seconds:F2} s");
}
