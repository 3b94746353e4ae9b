using System.Globalization;
using Ledger.Grains.Interfaces;

namespace Ledger.Chaos;

/// <summary>The money side of a chaos run on a sale that takes payment, for its report.</summary>
/// <param name="Declined">Holds voided on the provider's refusal.</param>
/// <param name="Expired">Holds that had no word from the provider in time.</param>
/// <param name="Open">Holds still open when the run stopped waiting.</param>
/// <param name="LongestOpen">The longest any hold stayed open, from its entry to its ending's.</param>
/// <param name="PendingAnswers">Answers that a purchase was pending (202 over HTTP), each followed by asking again with its key.</param>
/// <param name="Payers">Payers whose money the provider was asked for: every buyer.</param>
/// <param name="VouchersPrice">The prices of every confirmed, uncancelled purchase: what the payers should have paid net.</param>
/// <param name="SettledAfter">From the last buyer's answer until no hold was open and no refund owed (or the run stopped waiting).</param>
public sealed record PaymentFigures(
    int HoldSeconds,
    int Holds,
    int Posted,
    int Declined,
    int Expired,
    int Open,
    TimeSpan LongestOpen,
    int PendingAnswers,
    int Payers,
    int PayersDiffering,
    int ChargedTwice,
    long Withdrawn,
    long Returned,
    long VouchersPrice,
    int RefundsOwed,
    int RefundsReturned,
    TimeSpan SettledAfter,
    ReconciliationReport? Reconciliation)
{
    public IEnumerable<string> Describe()
    {
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        string S(TimeSpan t) => t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
        yield return $"holds {N(Holds)}: posted {N(Posted)}, declined {N(Declined)}, expired {N(Expired)}, open {N(Open)}; " +
            $"longest open {S(LongestOpen)} (allowed {N(HoldSeconds + 60)} s); {N(PendingAnswers)} pending answers asked again; " +
            $"settled {S(SettledAfter)} after the last answer";
        yield return $"money: {N(Payers)} payers at the provider, withdrawn {N(Withdrawn)} won, returned {N(Returned)} won, " +
            $"net {N(Withdrawn - Returned)} won; confirmed vouchers cost {N(VouchersPrice)} won; " +
            $"{N(PayersDiffering)} payers whose money differs from their vouchers, {N(ChargedTwice)} charged twice; " +
            $"refunds returned {N(RefundsReturned)}, still owed {N(RefundsOwed)}";
        yield return Reconciliation is { } r
            ? $"reconciliation {(r.Consistent ? "consistent" : "INCONSISTENT")}: ledger net {N(r.LedgerNet)} won, provider net {N(r.ProviderNet)} won, " +
              $"pending {N(r.Pending)}, mismatches {N(r.Mismatches.Count)}"
            : "reconciliation missing";
    }
}
