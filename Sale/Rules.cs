namespace Ledger.Sale;

/// <summary>
/// What a purchase is held to in one program-month: the policy in force, as the sale reads it. The opening
/// by birth year is the policy's own rule (its cohorts), handed in. <see cref="HoldSeconds"/> is how long a
/// purchase's hold may wait for its payment, 0 when the sale takes no payment.
/// </summary>
public sealed record Rules(
    ChannelAmounts Caps,
    long CitizenMonthlyLimit,
    long Unit,
    int DiscountBps,
    int PreQueueMinutes,
    DateTimeOffset MonthEnd,
    Func<int?, DateTimeOffset> OpeningFor,
    int HoldSeconds = 0)
{
    public const int BasisPointsPerWhole = 10_000;

    /// <summary>The price of a face amount: amount x (1 - discount), rounded down to the won.</summary>
    public static long PriceOf(long amount, int discountBps) =>
        (long)((Int128)amount * (BasisPointsPerWhole - discountBps) / BasisPointsPerWhole);

    /// <summary>When a buyer who opens at <paramref name="opening"/> may join its pre-queue; null without one.</summary>
    public static DateTimeOffset? PreQueueFrom(DateTimeOffset opening, int preQueueMinutes) =>
        preQueueMinutes > 0 ? opening.AddMinutes(-preQueueMinutes) : null;

    /// <summary>Whether, at <paramref name="now"/>, a buyer who opens at <paramref name="opening"/> is in its pre-queue.</summary>
    public static bool IsInPreQueue(DateTimeOffset opening, DateTimeOffset now, int preQueueMinutes) =>
        now < opening && PreQueueFrom(opening, preQueueMinutes) <= now;

    public long PriceOf(long amount) => PriceOf(amount, DiscountBps);

    /// <summary>
    /// The first rule the claim breaks, in the contract's order (amount, opening, month, limit, cap); null if
    /// none. <paramref name="usedAtLeast"/> is a lower bound of the citizen's usage, <paramref name="capLeft"/>
    /// what the claim's channel has left.
    /// </summary>
    public Answer? Check(Claim claim, long usedAtLeast, long capLeft, DateTimeOffset now)
    {
        if (claim.Amount <= 0 || claim.Amount % Unit != 0)
        {
            return Answer.Of(PurchaseOutcome.InvalidAmount);
        }

        var opening = OpeningFor(claim.BirthYear);
        if (now < opening)
        {
            var outcome = IsInPreQueue(opening, now, PreQueueMinutes) ? PurchaseOutcome.PreQueue : PurchaseOutcome.NotOpen;
            return new Answer(outcome, OpensAt: opening);
        }

        if (now >= MonthEnd)
        {
            return Answer.Of(PurchaseOutcome.Closed);
        }

        var limitLeft = CitizenMonthlyLimit - usedAtLeast;
        if (claim.Amount > limitLeft)
        {
            return Answer.LimitExceeded(Math.Max(0, limitLeft));
        }

        return claim.Amount > capLeft ? Answer.SoldOut(capLeft) : null;
    }
}
