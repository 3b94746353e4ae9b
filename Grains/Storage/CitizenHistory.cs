using Ledger.Grains.Interfaces;

namespace Ledger.Grains.Storage;

/// <summary>A citizen's usage counter in a program-month and every purchase they made, by idempotency key.</summary>
public sealed record CitizenHistory(long Used, IReadOnlyDictionary<string, Purchase> PurchasesByKey);
