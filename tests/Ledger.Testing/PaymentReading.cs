using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// What can be read from outside of a program-month that takes payment (API.md, "Payments"): every entry with its
/// kind as the ledger's pages show it (a purchase, a hold, and the post, void, expiry or cancel about one), when
/// each was written, the head's sold and held counters, the holds the open-hold table lists, and the state of
/// each refund owed (<c>pending</c>, <c>done</c>, or <c>none</c> when an expired hold's price was never taken).
/// </summary>
public sealed record PaymentReading(
    ProgramMonth Sale,
    Policy Policy,
    IReadOnlyList<AuditEntry> Entries,
    IReadOnlyDictionary<long, DateTimeOffset> WrittenAt,
    IReadOnlySet<long> OpenHolds,
    IReadOnlyDictionary<long, string> Refunds,
    ChannelAmounts? SoldCounters = null,
    ChannelAmounts? HeldCounters = null,
    long? NextSequence = null)
{
    /// <summary>What an entry adds to its channel's sold amount: a purchase without payment or a post sells, a cancel gives back.</summary>
    public static long SoldBy(AuditEntry entry) => entry.Kind switch
    {
        LedgerEntryKind.Purchase or LedgerEntryKind.Post => entry.Amount,
        LedgerEntryKind.Cancel => -entry.Amount,
        _ => 0,
    };

    /// <summary>What an entry adds to its channel's held amount: a hold holds until its ending (post, void or expiry) releases it.</summary>
    public static long HeldBy(AuditEntry entry) => entry.Kind switch
    {
        LedgerEntryKind.Hold => entry.Amount,
        LedgerEntryKind.Post or LedgerEntryKind.Void or LedgerEntryKind.Expire => -entry.Amount,
        _ => 0,
    };

    /// <summary>Sold per channel as the entries add up.</summary>
    public ChannelAmounts SoldByEntries() => Entries.Aggregate(ChannelAmounts.Zero, (sold, e) => sold.Add(e.Channel, SoldBy(e)));

    /// <summary>Held per channel as the entries add up: the holds not yet ended.</summary>
    public ChannelAmounts HeldByEntries() => Entries.Aggregate(ChannelAmounts.Zero, (held, e) => held.Add(e.Channel, HeldBy(e)));

    /// <summary>Every hold with how it stands: its ending, if any, and whether it was cancelled after it posted.</summary>
    public IReadOnlyList<HoldStanding> Holds()
    {
        var about = Entries.Where(e => e.Kind is not (LedgerEntryKind.Purchase or LedgerEntryKind.Hold))
            .ToLookup(e => e.PurchaseSequence);
        return Entries.Where(e => e.Kind == LedgerEntryKind.Hold)
            .Select(hold =>
            {
                var ending = about[hold.Sequence].FirstOrDefault(e => e.Kind != LedgerEntryKind.Cancel);
                return new HoldStanding(
                    hold, WrittenAt[hold.Sequence], ending?.Kind, ending is null ? null : WrittenAt[ending.Sequence],
                    about[hold.Sequence].Any(e => e.Kind == LedgerEntryKind.Cancel));
            })
            .ToArray();
    }

    /// <summary>Purchases bought and kept: without payment or posted, and not cancelled.</summary>
    public int ConfirmedCount =>
        Entries.Count(e => e.Kind == LedgerEntryKind.Purchase) + Holds().Count(h => h.Ending == LedgerEntryKind.Post)
        - Entries.Count(e => e.Kind == LedgerEntryKind.Cancel);
}

/// <summary>A hold and how it stands now.</summary>
/// <param name="Ending">Post, Void or Expire; null while the hold is open.</param>
/// <param name="Cancelled">Whether the purchase was cancelled after its hold posted (its price is then owed back).</param>
public sealed record HoldStanding(AuditEntry Hold, DateTimeOffset TakenAt, LedgerEntryKind? Ending, DateTimeOffset? EndedAt, bool Cancelled)
{
    /// <summary>Bought and kept: the payer owes its price.</summary>
    public bool IsConfirmed => Ending == LedgerEntryKind.Post && !Cancelled;

    /// <summary>Ended without a payment: nothing was bought.</summary>
    public bool IsVoided => Ending is LedgerEntryKind.Void or LedgerEntryKind.Expire;

    /// <summary>How long the hold stayed open; null while it is.</summary>
    public TimeSpan? OpenFor => EndedAt - TakenAt;
}
