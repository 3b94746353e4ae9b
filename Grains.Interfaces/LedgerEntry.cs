using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>
/// One entry of a program-month's append-only ledger. Amounts are always positive; <see cref="Kind"/> says
/// whether they were sold or returned.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.LedgerEntry")]
public sealed record LedgerEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] LedgerEntryKind Kind,
    [property: Id(2)] string PurchaseId,
    [property: Id(3)] string CitizenId,
    [property: Id(4)] Channel Channel,
    [property: Id(5)] long Amount,
    [property: Id(6)] long Price,
    [property: Id(7)] DateTimeOffset At);
