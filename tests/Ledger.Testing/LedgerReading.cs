using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// What can be read of one program-month from outside: its policy, its entries and, where the reader can see
/// them, the counters kept beside the entries (the head's sold per channel and next sequence, each citizen's usage).
/// </summary>
public sealed record LedgerReading(
    ProgramMonth Sale,
    Policy Policy,
    IReadOnlyList<AuditEntry> Entries,
    ChannelAmounts? SoldCounters = null,
    long? NextSequence = null,
    IReadOnlyDictionary<string, long>? UsedCounters = null)
{
    /// <summary>Sold per channel as the entries add up: purchases less cancels.</summary>
    public ChannelAmounts SoldByEntries() =>
        Entries.Aggregate(ChannelAmounts.Zero, (sold, e) => sold.Add(e.Channel, e.Delta));

    public int PurchaseCount => Entries.Count(e => e.Kind == LedgerEntryKind.Purchase);

    /// <summary>Every entry of <paramref name="city"/>, read page by page through the grain.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> ReadEntriesAsync(ICityMonthGrain city)
    {
        var entries = new List<AuditEntry>();
        long? after = 0;
        while (after is { } from)
        {
            var page = await city.GetEntriesAsync(from, LedgerPage.EntriesMax);
            entries.AddRange(page.Entries.Select(AuditEntry.From));
            after = page.Next;
        }

        return entries;
    }
}
