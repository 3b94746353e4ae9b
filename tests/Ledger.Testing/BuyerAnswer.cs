using Ledger.Grains.Interfaces;

namespace Ledger.Testing;

/// <summary>
/// One buyer's request and its final answer (null when it never got one). Given for every buyer of a sale, it
/// lets the auditor check that each request was answered and each purchase in the ledger was told to its buyer.
/// </summary>
public sealed record BuyerAnswer(PurchaseRequest Request, PurchaseResult? Final, string Description)
{
    public override string ToString() => Description;
}
