namespace Ledger.Grains.Interfaces;

/// <summary>
/// The program-month ("city-month") grain, keyed <c>{programId}/{yyyy-MM}</c> (<see cref="ProgramMonth.Key"/>).
/// It holds the policy, the caps per channel and the ledger's sequence, and group-commits purchases and
/// cancellations to PostgreSQL: each is checked and reserved within the grain's turn, then every waiting
/// one is committed in a single transaction and answered together.
/// </summary>
[Alias("Ledger.ICityMonthGrain")]
public interface ICityMonthGrain : IGrainWithStringKey
{
    /// <summary>Creates or changes the policy, confirmed and set by no one in particular (tools and tests).</summary>
    [Alias("SetPolicy")]
    Task<SetPolicyResult> SetPolicyAsync(Policy policy);

    /// <summary>
    /// Creates or changes the policy as an operator asks: a cap may never go below what is sold, and the guard
    /// refuses an unconfirmed change that zeroes every cap or cuts one by more than half near or during the
    /// sale. Every saved version is kept, with who set it and when.
    /// </summary>
    [Alias("ChangePolicy")]
    Task<SetPolicyResult> SetPolicyAsync(PolicyChange change);

    /// <summary>Every saved version of the policy, oldest first (empty when none was ever set).</summary>
    [Alias("GetPolicyHistory")]
    Task<IReadOnlyList<PolicyVersion>> GetPolicyHistoryAsync();

    /// <summary>The policy and live figures, or null when no policy was ever set.</summary>
    [Alias("GetSnapshot")]
    Task<CityMonthSnapshot?> GetSnapshotAsync();

    /// <summary>
    /// Buys, answering only once the purchase is durable (or rejected). Called by the citizen grain, which
    /// answers duplicates itself; the database makes the same key safe even when that grain is bypassed.
    /// </summary>
    [Alias("Purchase")]
    Task<PurchaseResult> PurchaseAsync(PurchaseOrder order);

    /// <summary>
    /// The answer a purchase would get without the database, if that answer is a refusal and certain: the
    /// citizen has never bought here (so no key of theirs has) and no twin of the request is pending.
    /// Otherwise null. Nothing is reserved or changed either way. While a channel is sold out, the gateway
    /// asks this before the citizen grain, so that the crowd turned away activates no citizen grain.
    /// </summary>
    [Alias("Refuse")]
    Task<PurchaseResult?> RefuseAsync(PurchaseRequest request);

    /// <summary>Cancels a purchase within 7 days of buying, returning its amount to the cap and the limit.</summary>
    [Alias("Cancel")]
    Task<CancelResult> CancelAsync(long purchaseSequence);

    /// <summary>The purchase recorded at a sequence, or null when there is none.</summary>
    [Alias("GetPurchase")]
    Task<Purchase?> GetPurchaseAsync(long purchaseSequence);

    /// <summary>Ledger entries with sequence above <paramref name="after"/>, at most <paramref name="limit"/> of them.</summary>
    [Alias("GetEntries")]
    Task<LedgerPage> GetEntriesAsync(long after, int limit);

    /// <summary>Recomputes every counter from the ledger and compares.</summary>
    [Alias("Audit")]
    Task<AuditReport?> AuditAsync();

    /// <summary>
    /// Resumes every hold of the program-month that this activation is not resolving (activating it if need be);
    /// answers how many it is resolving. The payment sweeper calls it.
    /// </summary>
    [Alias("ResolveHolds")]
    Task<int> ResolveHoldsAsync();

    /// <summary>The ledger's paid purchases against the provider's record; null without a policy.</summary>
    [Alias("Reconcile")]
    Task<ReconciliationReport?> ReconcileAsync();
}
