namespace Ledger.Grains.Interfaces;

/// <summary>How many wait in the pre-queue of one opening.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.PreQueueCount")]
public sealed record PreQueueCount(
    [property: Id(0)] DateTimeOffset Opening,
    [property: Id(1)] int Count);
