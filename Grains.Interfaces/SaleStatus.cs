namespace Ledger.Grains.Interfaces;

[GenerateSerializer, Alias("Ledger.SaleStatus")]
public enum SaleStatus
{
    Scheduled = 0,
    Open = 1,
    SoldOut = 2,
    Closed = 3,
}
