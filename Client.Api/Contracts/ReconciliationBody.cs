namespace Ledger.Client.Api.Contracts;

/// <summary>The ledger against the payment provider's record (API.md, "Payments").</summary>
public sealed record ReconciliationBody(
    bool Consistent, long LedgerNet, long ProviderNet, long Pending, IReadOnlyList<ReconciliationMismatchBody> Mismatches);

public sealed record ReconciliationMismatchBody(string PurchaseId, long Ledger, long Provider);
