namespace Ledger.Grains.Interfaces;

/// <summary>A citizen's standing in one program-month: the limit, what is used, and the purchases.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.CitizenMonth")]
public sealed record CitizenMonth(
    [property: Id(0)] long Limit,
    [property: Id(1)] long Used,
    [property: Id(2)] long Remaining,
    [property: Id(3)] IReadOnlyList<Purchase> Purchases);
