namespace Ledger.Sale;

/// <summary>
/// A program-month's head row: the owning epoch, the next sequence, what is sold, and what is held (holds not
/// yet ended). A cap holds sold and held together.
/// </summary>
public sealed record LedgerHead(long Epoch, long NextSequence, ChannelAmounts Sold)
{
    public ChannelAmounts Held { get; init; } = ChannelAmounts.Zero;

    /// <summary>What a channel's cap has given: sold and held.</summary>
    public long Taken(Channel channel) => Sold[channel] + Held[channel];
}
