using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>A confirmed (and possibly since cancelled) purchase, as recorded in the ledger.</summary>
/// <param name="Sequence">The purchase's entry in the program-month's ledger.</param>
[GenerateSerializer, Immutable, Alias("Ledger.Purchase")]
public sealed record Purchase(
    [property: Id(0)] string PurchaseId,
    [property: Id(1)] ProgramMonth ProgramMonth,
    [property: Id(2)] string CitizenId,
    [property: Id(3)] Channel Channel,
    [property: Id(4)] long Amount,
    [property: Id(5)] long Price,
    [property: Id(6)] PurchaseStatus Status,
    [property: Id(7)] DateTimeOffset PurchasedAt,
    [property: Id(8)] long Sequence) : IRecordedPurchase;
