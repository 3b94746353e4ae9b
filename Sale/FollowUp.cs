namespace Ledger.Sale;

/// <summary>The kinds of entry about an earlier purchase: its cancel, or how its hold ended.</summary>
public enum FollowUp
{
    /// <summary>The purchase is cancelled: its amount goes back to the cap and the citizen.</summary>
    Cancel,

    /// <summary>The provider withdrew the price: the hold becomes sold.</summary>
    Post,

    /// <summary>The provider refused: the hold's amount goes back.</summary>
    Void,

    /// <summary>No word from the provider within the hold's time: the hold's amount goes back.</summary>
    Expire,
}
