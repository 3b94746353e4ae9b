namespace Ledger.Grains.Interfaces;

/// <summary>A pre-queue placed at its opening: <see cref="Citizens"/>[i] holds ticket <see cref="FirstNumber"/> + i.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.PreQueueOrder")]
public sealed record PreQueueOrder(
    [property: Id(0)] long FirstNumber,
    [property: Id(1)] IReadOnlyList<string> Citizens);
