using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>A purchase the client was told is confirmed, and whether the client then cancelled it.</summary>
public sealed class SeenPurchase(int saleIndex, string citizenId, Channel channel, long amount, long sequence)
{
    public int SaleIndex { get; } = saleIndex;

    public string CitizenId { get; } = citizenId;

    public Channel Channel { get; } = channel;

    public long Amount { get; } = amount;

    /// <summary>The ledger sequence (the baseline's entry id).</summary>
    public long Sequence { get; } = sequence;

    public bool Cancelled { get; set; }

    /// <summary>The same purchase under the sequence a reader of the ledger gave it.</summary>
    public SeenPurchase Renumbered(long sequence) => new(SaleIndex, CitizenId, Channel, Amount, sequence) { Cancelled = Cancelled };
}
