namespace Ledger.Grains.Interfaces;

/// <summary>A ticket a gateway answered with, and until when its holder keeps the place by coming back.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.TicketSeen")]
public sealed record TicketSeen(
    [property: Id(0)] string CitizenId,
    [property: Id(1)] TicketGrant Place,
    [property: Id(2)] DateTimeOffset ExpiresAt);
