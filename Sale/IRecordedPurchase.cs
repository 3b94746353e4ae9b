namespace Ledger.Sale;

/// <summary>A purchase as the ledger recorded it, with what the sale's rules read of it.</summary>
public interface IRecordedPurchase
{
    long Sequence { get; }

    Channel Channel { get; }

    long Amount { get; }
}
