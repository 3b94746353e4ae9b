using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>A purchase as recorded in the ledger, and how it stands (a hold, for one that takes payment).</summary>
/// <param name="Sequence">The purchase's entry in the program-month's ledger.</param>
/// <param name="Reason">Why a hold was voided: the provider's message, or that it expired.</param>
/// <param name="Refund">Where the price owed back to the payer stands; null when nothing is owed.</param>
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
    [property: Id(8)] long Sequence,
    [property: Id(9)] string? Reason = null,
    [property: Id(10)] RefundState? Refund = null) : IRecordedPurchase;
