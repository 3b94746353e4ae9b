namespace Ledger.Sale;

/// <summary>A cancel of the purchase recorded at <see cref="Sequence"/>, with that purchase's figures.</summary>
public class PendingCancel(long sequence, string citizenId, Channel channel, long amount) : PendingItem(citizenId)
{
    public long Sequence { get; } = sequence;

    public Channel Channel { get; } = channel;

    public long Amount { get; } = amount;
}
