using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>
/// The waiting room as gateways see it: every ticket numbered up to <see cref="Admitted"/> may buy;
/// <see cref="Waiting"/> live tickets are behind it, admitted at <see cref="AdmitPerSecond"/>.
/// <see cref="Remaining"/> is the program-month's remaining cap (null without a policy), so that a
/// queued buyer is told sold-out the moment it cannot be served. <see cref="PreQueues"/> are the openings
/// with a pre-queue not yet placed, and how many wait in each.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.WaitingRoomView")]
public sealed record WaitingRoomView(
    [property: Id(0)] long Issued,
    [property: Id(1)] long Admitted,
    [property: Id(2)] int Waiting,
    [property: Id(3)] double AdmitPerSecond,
    [property: Id(4)] ChannelAmounts? Remaining,
    [property: Id(5)] IReadOnlyList<PreQueueCount> PreQueues,
    [property: Id(6)] DateTimeOffset At)
{
    /// <summary>Whether buyers are waiting, or will be the moment a pre-queue's opening passes.</summary>
    public bool IsQueueing(DateTimeOffset now) => Waiting > 0 || PreQueues.Any(p => p.Opening <= now && p.Count > 0);
}
