namespace Ledger.Sale;

/// <summary>A purchase admitted and reserved against the cap, at the price fixed when it was admitted.</summary>
public class PendingPurchase(Claim claim, long price) : PendingItem(claim.CitizenId)
{
    public Claim Claim { get; } = claim;

    public long Price { get; } = price;
}
