namespace Ledger.Grains.Interfaces;

/// <summary>
/// What one gateway measured of the program-month's purchases since its last report: how many it answered,
/// and how many admitted buyers it had to turn back because its purchases in flight were at their bound;
/// and every ticket it answered with.
/// <see cref="AdmittedSeen"/> is the highest frontier it was told, so that a room that restarted never moves back.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.WaitingRoomReport")]
public sealed record WaitingRoomReport(
    [property: Id(0)] string Gateway,
    [property: Id(1)] long AdmittedSeen,
    [property: Id(2)] int Completed,
    [property: Id(3)] int TurnedBack,
    [property: Id(4)] IReadOnlyList<TicketSeen> Seen);
