namespace Ledger.Sale;

/// <summary>How a purchase recorded in the ledger stands.</summary>
public enum PurchaseStatus
{
    /// <summary>Bought: without payment, or its hold posted (the provider withdrew the price).</summary>
    Confirmed = 0,

    /// <summary>Bought, then cancelled: the cap and limit are back, and a paid price goes back to the payer.</summary>
    Cancelled = 1,

    /// <summary>A hold: its amount is taken from the cap and the limit while the provider is asked for the price.</summary>
    Pending = 2,

    /// <summary>A hold that ended without a payment (refused by the provider, or expired): nothing was bought.</summary>
    Voided = 3,
}
