using Ledger.Sale;

namespace Ledger.Grains.Payments;

/// <summary>How a hold ended: posted (<see cref="PurchaseStatus.Confirmed"/>) or voided, and the citizen's usage after it (null: not counted).</summary>
public sealed record Settlement(PurchaseStatus Status, string? Reason, long? CitizenUsed);
