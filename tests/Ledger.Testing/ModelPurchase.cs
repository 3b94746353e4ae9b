using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>A purchase the model has confirmed; <see cref="Cancelled"/> changes once.</summary>
public sealed class ModelPurchase(long sequence, string citizenId, Channel channel, long amount, long price, string key)
{
    public long Sequence { get; } = sequence;

    public string CitizenId { get; } = citizenId;

    public Channel Channel { get; } = channel;

    public long Amount { get; } = amount;

    public long Price { get; } = price;

    public string Key { get; } = key;

    public bool Cancelled { get; set; }
}
