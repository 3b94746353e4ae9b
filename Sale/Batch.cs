namespace Ledger.Sale;

/// <summary>
/// Items taken from the queue to commit in one transaction, fenced by <see cref="Head"/> and held to
/// <see cref="Limits"/>. Each citizen, and each teller's key, appears at most once (ledger_commit relies on it).
/// </summary>
public sealed record Batch(
    LedgerHead Head, CommitLimits Limits, IReadOnlyList<PendingFollowUp> FollowUps, IReadOnlyList<PendingPurchase> Purchases)
{
    public int Count => FollowUps.Count + Purchases.Count;

    public IEnumerable<PendingItem> Items => FollowUps.Concat<PendingItem>(Purchases);
}
