using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>How Orleans carries the sale core's <see cref="ChannelAmounts"/>, which knows nothing of Orleans.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.ChannelAmounts")]
public readonly record struct ChannelAmountsSurrogate(
    [property: Id(0)] long Mobile,
    [property: Id(1)] long Paper);
