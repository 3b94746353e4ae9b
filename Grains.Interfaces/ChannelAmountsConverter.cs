using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

[RegisterConverter]
public sealed class ChannelAmountsConverter : IConverter<ChannelAmounts, ChannelAmountsSurrogate>
{
    public ChannelAmounts ConvertFromSurrogate(in ChannelAmountsSurrogate surrogate) => new(surrogate.Mobile, surrogate.Paper);

    public ChannelAmountsSurrogate ConvertToSurrogate(in ChannelAmounts value) => new(value.Mobile, value.Paper);
}
