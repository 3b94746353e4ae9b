namespace Ledger.Grains.Interfaces;

/// <summary>
/// A channel's sold amount, and its held amount (holds not yet ended), as the counters hold them and as
/// recomputed from the ledger.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.ChannelAudit")]
public sealed record ChannelAudit(
    [property: Id(0)] long Cap,
    [property: Id(1)] long SoldByCounter,
    [property: Id(2)] long SoldByLedger,
    [property: Id(3)] long HeldByCounter = 0,
    [property: Id(4)] long HeldByLedger = 0)
{
    /// <summary>The counters equal the ledger, and sold and held together stay within the cap.</summary>
    public bool Consistent =>
        SoldByCounter == SoldByLedger && HeldByCounter == HeldByLedger && SoldByLedger + HeldByLedger <= Cap;
}
