namespace Ledger.Grains.Interfaces;

/// <summary>
/// A place in the waiting room: <see cref="Number"/> in arrival order (1 first), or, in a pre-queue before
/// its opening, no number yet but the <see cref="Draw"/> that orders the pre-queue at <see cref="Opening"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.TicketGrant")]
public sealed record TicketGrant(
    [property: Id(0)] long? Number,
    [property: Id(1)] DateTimeOffset? Opening = null,
    [property: Id(2)] long Draw = 0);
