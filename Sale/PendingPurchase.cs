namespace Ledger.Sale;

/// <summary>
/// A purchase admitted and reserved against the cap, at the price fixed when it was admitted. On a sale that
/// takes payment it is recorded as a hold that may stay open <see cref="HoldSeconds"/>.
/// </summary>
public class PendingPurchase(Claim claim, long price) : PendingItem(claim.CitizenId)
{
    public Claim Claim { get; } = claim;

    public long Price { get; } = price;

    /// <summary>How long its hold may stay open; null without payment.</summary>
    public int? HoldSeconds { get; internal set; }
}
