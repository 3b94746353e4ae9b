namespace Ledger.Bench;

/// <summary>
/// What the payment side of a paid sale came to after a run: its holds and how they ended, holds still open and
/// refunds still owed once the silo had time to settle them, and the payers whose money at the provider was checked
/// against their vouchers (<see cref="PayersOff"/>: withdrawn less returned differs from the prices they kept).
/// </summary>
/// <param name="SettleSeconds">How long after the run the holds and refunds took to settle (or the wait gave up).</param>
/// <param name="Findings">One line per promise broken, with an example.</param>
public sealed record PaymentCheck(
    long Holds,
    long Posted,
    long Voided,
    long Expired,
    long HoldsOpen,
    long RefundsOwed,
    long RefundsDone,
    long PayersChecked,
    long PayersOff,
    long MoneyWithdrawnNet,
    double SettleSeconds,
    IReadOnlyList<string> Findings);
