using Ledger.Sale;

namespace Ledger.Grains.Storage;

/// <summary>
/// A purchase to commit: who, with which key (scoped: <see cref="SaleKeys"/>), what, the price fixed when it was
/// admitted, the teller selling it (null for a citizen's own purchase), and how long its hold may stay open
/// (null without payment).
/// </summary>
public sealed record CommitPurchase(
    string CitizenId, string IdempotencyKey, Channel Channel, long Amount, long Price, string? SoldBy = null, int? HoldSeconds = null)
{
    public static CommitPurchase Of(PendingPurchase purchase) => new(
        purchase.CitizenId, purchase.Claim.Key, purchase.Claim.Channel, purchase.Claim.Amount, purchase.Price,
        purchase.Claim.SoldBy, purchase.HoldSeconds);
}
