using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// What <c>--scenario ticket-check</c> reports (on the console and in <c>--json</c>): how the tickets were taken
/// (citizens, connections, seconds, tickets, purchases that went straight in, other answers), the rounds, and the
/// headline: the ticket check's rate over the no-op ceiling's, each summed over its measured rounds (all of
/// equal length), and the same ratio per pair, against issue 15's target. <see cref="Failures"/> names what is
/// incorrect (an error or a 5xx other than 503, a broken invariant on the program-month bought while the tickets
/// were taken); a ticket round's answer other than 429 is counted in <see cref="NotQueuedInTicketRounds"/> and
/// said, not a failure: it means the frontier reached the replayed tickets, so that round measured purchases too.
/// </summary>
public sealed record TicketCheckReport(
    IReadOnlyList<string> Arguments,
    DateTimeOffset At,
    int Cores,
    string Url,
    string ProgramMonth,
    int Citizens,
    int TakeConnections,
    double TakeSeconds,
    long TicketsTaken,
    long BoughtWhileTaking,
    IReadOnlyDictionary<string, long> OtherWhileTaking,
    int Replayed,
    int Connections,
    double RoundSeconds,
    IReadOnlyList<TicketRound> Rounds,
    double NoOpPerSecond,
    double TicketPerSecond,
    double TicketShareOfNoOp,
    IReadOnlyList<double> PairShares,
    long NotQueuedInTicketRounds,
    long Errors,
    InvariantReport? Invariants,
    IReadOnlyDictionary<string, long> PeakMemoryBytes)
{
    /// <summary>Issue 15: a retry with a ticket not yet admitted at this share of the gateway's no-op ceiling or more.</summary>
    public const double TicketShareOfNoOpMin = 0.80;

    public bool TargetMet => TicketShareOfNoOp >= TicketShareOfNoOpMin;

    public bool Passed => Failures.Count == 0;

    public IReadOnlyList<string> Failures
    {
        get
        {
            var failures = new List<string>();
            if (Errors > 0)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Errors} requests had no answer, a 5xx other than 503, or one without Retry-After"));
            }

            if (Invariants is null)
            {
                failures.Add("the invariants could not be read from the database");
            }

            failures.AddRange(Invariants?.Broken() ?? []);
            return failures;
        }
    }
}
