namespace Ledger.Grains.Interfaces;

/// <summary>A citizen asking for a place; <see cref="PreQueueOpening"/> set when they came before their opening, within the pre-queue.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.TicketClaim")]
public sealed record TicketClaim(
    [property: Id(0)] string CitizenId,
    [property: Id(1)] DateTimeOffset? PreQueueOpening = null)
{
    /// <summary>Claims a waiting room takes in one call at most.</summary>
    public const int BatchMax = 10_000;
}
