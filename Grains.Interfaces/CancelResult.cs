using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>The answer to a cancellation; <see cref="Purchase"/> is the purchase as it now stands.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.CancelResult")]
public sealed record CancelResult(
    [property: Id(0)] CancelOutcome Outcome,
    [property: Id(1)] Purchase? Purchase = null,
    [property: Id(2)] long? CitizenUsed = null);
