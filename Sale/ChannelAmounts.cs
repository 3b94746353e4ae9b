namespace Ledger.Sale;

/// <summary>One amount in won per channel: caps, sold amounts or remaining amounts.</summary>
public sealed record ChannelAmounts(
    long Mobile,
    long Paper)
{
    public static readonly ChannelAmounts Zero = new(0, 0);

    public long this[Channel channel] => channel switch
    {
        Channel.Mobile => Mobile,
        Channel.Paper => Paper,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    public ChannelAmounts With(Channel channel, long amount) => channel switch
    {
        Channel.Mobile => this with { Mobile = amount },
        Channel.Paper => this with { Paper = amount },
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    public ChannelAmounts Add(Channel channel, long amount) => With(channel, checked(this[channel] + amount));
}
