using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// One ledger entry as the auditor reads it; <see cref="PurchaseSequence"/> is the purchase it is about (itself
/// for a purchase, the cancelled one for a cancel). <see cref="Key"/> (as the seller sent it) and
/// <see cref="SoldBy"/> are null when the reader cannot see them, as through the grain's or the gateway's pages.
/// </summary>
public sealed record AuditEntry(
    long Sequence, LedgerEntryKind Kind, long PurchaseSequence, string CitizenId, Channel Channel, long Amount, long Price,
    string? Key = null, string? SoldBy = null)
{
    /// <summary>An entry as the grain's <c>GetEntriesAsync</c> or <c>GET .../entries</c> show it.</summary>
    public static AuditEntry From(LedgerEntry entry) => new(
        entry.Sequence, entry.Kind,
        PurchaseIds.TryParse(entry.PurchaseId, out _, out var purchase) ? purchase : 0,
        entry.CitizenId, entry.Channel, entry.Amount, entry.Price);

    /// <summary>The signed change to sold and to the citizen's usage.</summary>
    public long Delta => Kind == LedgerEntryKind.Purchase ? Amount : -Amount;

    public override string ToString() =>
        $"#{Sequence} {Kind} of #{PurchaseSequence} by {CitizenId}{(SoldBy is null ? "" : $" (sold by {SoldBy})")}, " +
        $"{Channel} {Amount} for {Price}{(Key is null ? "" : $", key {Key}")}";
}
