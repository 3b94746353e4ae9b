namespace Ledger.Grains.Interfaces;

/// <summary>A channel's sold amount as the counter holds it and as recomputed from the ledger.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.ChannelAudit")]
public sealed record ChannelAudit(
    [property: Id(0)] long Cap,
    [property: Id(1)] long SoldByCounter,
    [property: Id(2)] long SoldByLedger);
