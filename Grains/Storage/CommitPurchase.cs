using Ledger.Grains.Interfaces;

namespace Ledger.Grains.Storage;

/// <summary>
/// A purchase to commit: who, with which key (scoped: PurchaseRequests.ScopedKey), what, the price fixed when
/// it was admitted, and the teller selling it (null for a citizen's own purchase).
/// </summary>
public sealed record CommitPurchase(
    string CitizenId, string IdempotencyKey, Channel Channel, long Amount, long Price, string? SoldBy = null);
