namespace Ledger.Grains.Storage;

/// <summary>A waiting room as stored: its reservation, its frontier, its placed openings' first numbers, its pre-queue members.</summary>
public sealed record WaitingRoomRecord(
    long Reserved, long Admitted, IReadOnlyDictionary<DateTimeOffset, long> Placed, IReadOnlyList<PreQueueMember> Members);
