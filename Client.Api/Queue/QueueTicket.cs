using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Queue;

/// <summary>
/// A place in a program-month's waiting room, as a gateway signs it into the <c>Queue-Ticket</c> header:
/// whose it is, its number (or, in a pre-queue before the opening, the draw that orders it there), when it
/// was first issued, and until when its holder keeps it by coming back.
/// </summary>
public sealed record QueueTicket(
    ProgramMonth ProgramMonth, string CitizenId, TicketGrant Place, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    public long? Number => Place.Number;

    public DateTimeOffset? Opening => Place.Opening;

    /// <summary>What the room is told of this ticket after an answer gave it.</summary>
    public TicketSeen Seen => new(CitizenId, Place, ExpiresAt);
}
