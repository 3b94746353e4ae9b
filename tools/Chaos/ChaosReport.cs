using System.Globalization;
using Ledger.Grains.Interfaces;

namespace Ledger.Chaos;

/// <summary>What a chaos run did, what the clients went through, and whether every promise held.</summary>
/// <param name="Outcomes">Requests by final outcome ("none" when a request never got one).</param>
/// <param name="Unavailable">
/// From the fault to the first final answer to an attempt made after it: how long purchases were
/// unavailable. Null when purchases never came back.
/// </param>
/// <param name="LongestSilence">The longest stretch, while buyers kept arriving after the fault, without any final answer.</param>
/// <param name="LedgerPurchases">Purchases the ledger holds as bought (on a sale that takes payment: holds posted and not cancelled).</param>
/// <param name="Problems">Each broken promise, in words; empty when the run passed.</param>
/// <param name="Payments">The money side, on a sale that takes payment.</param>
public sealed record ChaosReport(
    ProgramMonth Sale,
    string Fault,
    long Cap,
    int Requests,
    IReadOnlyDictionary<string, int> Outcomes,
    int Attempts,
    int FailedAttempts,
    int BusyAnswers,
    TimeSpan FaultAt,
    TimeSpan RepairedAt,
    TimeSpan? Unavailable,
    TimeSpan LongestSilence,
    TimeSpan Run,
    int ConfirmationsSeen,
    int LedgerPurchases,
    long SoldByLedger,
    long SoldByCounter,
    AuditReport? Audit,
    IReadOnlyList<string> Problems,
    PaymentFigures? Payments = null)
{
    public bool Passed => Problems.Count == 0;

    public IEnumerable<string> Describe()
    {
        string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        yield return $"sale {Sale.Key}, cap {N(Cap)} won; fault: {Fault}";
        yield return $"fault at {Ms(FaultAt)}, repaired at {Ms(RepairedAt)}, run {Ms(Run)}";
        yield return $"requests {N(Requests)}: {string.Join(", ", Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {N(o.Value)}"))}; " +
            $"attempts {N(Attempts)}, failed {N(FailedAttempts)}, busy {N(BusyAnswers)}";
        yield return Unavailable is { } unavailable
            ? $"purchases unavailable for {Ms(unavailable)} (fault to the first final answer to an attempt made after it); " +
              $"longest stretch without any final answer {Ms(LongestSilence)}"
            : "purchases never came back after the fault";
        yield return $"ledger: {N(LedgerPurchases)} purchases, sold {N(SoldByLedger)} won (counter {N(SoldByCounter)}), " +
            $"{N(ConfirmationsSeen)} confirmations seen by clients; audit {(Audit is null ? "missing" : Audit.Consistent ? "consistent" : "INCONSISTENT")}";
        foreach (var line in Payments?.Describe() ?? [])
        {
            yield return line;
        }

        yield return !Passed ? $"verdict: FAIL: {string.Join("; ", Problems)}"
            : Payments is null ? "verdict: PASS (no confirmed purchase lost, nothing oversold, audit consistent, every request answered)"
            : "verdict: PASS (no confirmed purchase lost, nothing oversold counting holds, every hold ended in time, every payer's money " +
              "equals their vouchers, no one charged twice, audit and reconciliation consistent, every request answered)";
    }
}
