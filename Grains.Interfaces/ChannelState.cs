namespace Ledger.Grains.Interfaces;

/// <summary>One channel's live figures; <see cref="Status"/> is <c>Open</c> or <c>SoldOut</c>.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.ChannelState")]
public sealed record ChannelState(
    [property: Id(0)] long Cap,
    [property: Id(1)] long Sold,
    [property: Id(2)] long Remaining,
    [property: Id(3)] SaleStatus Status);
