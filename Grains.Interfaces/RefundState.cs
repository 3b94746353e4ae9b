namespace Ledger.Grains.Interfaces;

/// <summary>Where a paid price owed back to the payer stands (API.md, "Payments").</summary>
[GenerateSerializer, Alias("Ledger.RefundState")]
public enum RefundState
{
    /// <summary>Owed: the provider has not yet confirmed the deposit.</summary>
    Pending = 0,

    /// <summary>The provider deposited it back.</summary>
    Done = 1,
}
