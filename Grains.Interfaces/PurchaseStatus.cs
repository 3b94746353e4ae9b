namespace Ledger.Grains.Interfaces;

[GenerateSerializer, Alias("Ledger.PurchaseStatus")]
public enum PurchaseStatus
{
    Confirmed = 0,
    Cancelled = 1,
}
