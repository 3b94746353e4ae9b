using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// A confirmed purchase a client was told of, with the figures it was told, and whether the client was then told
/// its cancellation succeeded. <see cref="Key"/> and <see cref="Price"/> are null where the client did not keep them.
/// </summary>
public sealed record Confirmation(
    long Sequence, string CitizenId, Channel Channel, long Amount, string? Key = null, long? Price = null, bool Cancelled = false)
{
    public static Confirmation Of(Purchase purchase, string? key) =>
        new(purchase.Sequence, purchase.CitizenId, purchase.Channel, purchase.Amount, key, purchase.Price);

    public override string ToString() =>
        $"#{Sequence} to {CitizenId}, {Channel} {Amount}{(Price is { } p ? $" for {p}" : "")}{(Key is null ? "" : $", key {Key}")}" +
        (Cancelled ? ", then cancelled" : "");
}
