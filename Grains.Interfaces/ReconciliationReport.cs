namespace Ledger.Grains.Interfaces;

/// <summary>
/// The ledger against the payment provider's record, per paid purchase (API.md, "Payments"). Nets are what
/// payers paid: withdrawn less returned, in won, over purchases whose money is settled; <see cref="Pending"/>
/// counts those still in motion (a hold open, a refund owed), which are not compared.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.ReconciliationReport")]
public sealed record ReconciliationReport(
    [property: Id(0)] bool Consistent,
    [property: Id(1)] long LedgerNet,
    [property: Id(2)] long ProviderNet,
    [property: Id(3)] long Pending,
    [property: Id(4)] IReadOnlyList<ReconciliationMismatch> Mismatches);

/// <summary>A paid purchase whose net differs between the ledger and the provider.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.ReconciliationMismatch")]
public sealed record ReconciliationMismatch(
    [property: Id(0)] string PurchaseId,
    [property: Id(1)] long Ledger,
    [property: Id(2)] long Provider);
