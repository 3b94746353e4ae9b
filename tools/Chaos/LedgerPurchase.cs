namespace Ledger.Chaos;

/// <summary>One purchase entry of <c>ledger_entries</c>.</summary>
public sealed record LedgerPurchase(long Sequence, string CitizenId, string IdempotencyKey, long Amount);
