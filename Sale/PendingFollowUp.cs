namespace Ledger.Sale;

/// <summary>
/// An entry about the purchase recorded at <see cref="Sequence"/>, with that purchase's figures: its cancel, or
/// its hold's ending (<see cref="Reason"/>: the provider's message, for a void).
/// </summary>
public class PendingFollowUp(FollowUp kind, long sequence, string citizenId, Channel channel, long amount, string? reason = null)
    : PendingItem(citizenId)
{
    public FollowUp Kind { get; } = kind;

    public long Sequence { get; } = sequence;

    public Channel Channel { get; } = channel;

    public long Amount { get; } = amount;

    public string? Reason { get; } = reason;
}
