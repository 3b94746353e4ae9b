using System.Text.Json;

namespace Ledger.Bench;

/// <summary>
/// What <c>--scenario storm</c> reports (on the console and in <c>--json</c>). Answers: final ones by kind,
/// buyers left without one, attempts by how they ended (<see cref="AttemptsByDetail"/> in words). Times run
/// from a buyer's arrival to their final answer, slot waits included. Fairness: of the first
/// <see cref="CapPurchases"/> buyers to arrive, those not confirmed. Readiness: the probe's polls, and its
/// ready answers in a second in which a purchase got a 5xx other than 503. The client's side: its open-file
/// limit, its bound on connections and how often a buyer waited for one, and how late the last arrival
/// started. <see cref="Failures"/> names what fails the run; empty means it passed.
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
    IReadOnlyList<StormSecond> Series)
{
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
            return failures;
        }
    }
}
