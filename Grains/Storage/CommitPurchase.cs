using Ledger.Grains.Interfaces;

namespace Ledger.Grains.Storage;

/// <summary>A purchase to commit: who, with which key, what, and the price fixed when it was admitted.</summary>
public sealed record CommitPurchase(string CitizenId, string IdempotencyKey, Channel Channel, long Amount, long Price);
