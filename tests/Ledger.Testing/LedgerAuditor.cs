using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// The one auditor of a program-month from outside (the database audits itself too, in <c>ledger_audit</c>):
/// given its entries, its policy and what clients were told, it lists every broken promise. An empty list
/// means every invariant holds; tests assert on it, tools report it.
/// </summary>
public static class LedgerAuditor
{
    /// <param name="ledger">What was read of the program-month.</param>
    /// <param name="confirmations">Every confirmation any client was given (a retry told again may repeat one).</param>
    /// <param name="buyers">Every buyer of the sale with their final answer, or null when not all buyers are known.</param>
    public static IReadOnlyList<Finding> Audit(
        LedgerReading ledger, IEnumerable<Confirmation>? confirmations = null, IReadOnlyCollection<BuyerAnswer>? buyers = null)
    {
        var findings = new List<Finding>();
        var bySequence = CheckSequences(ledger, findings);
        CheckSold(ledger, findings);
        CheckUsage(ledger, findings);
        CheckKeys(ledger, findings);
        var cancelled = CheckCancels(ledger, bySequence, findings);
        CheckConfirmations(ledger, bySequence, cancelled, confirmations ?? [], findings);
        if (buyers is not null)
        {
            CheckBuyers(ledger, buyers, findings);
        }

        return findings;
    }

    private static Dictionary<long, AuditEntry> CheckSequences(LedgerReading ledger, List<Finding> findings)
    {
        var bySequence = new Dictionary<long, AuditEntry>();
        var expected = 1L;
        foreach (var entry in ledger.Entries)
        {
            if (!bySequence.TryAdd(entry.Sequence, entry))
            {
                findings.Add(new(Invariant.GaplessSequences, $"sequence {entry.Sequence} appears twice: {bySequence[entry.Sequence]} and {entry}"));
                continue;
            }

            if (entry.Sequence != expected)
            {
                findings.Add(new(Invariant.GaplessSequences, entry.Sequence > expected
                    ? $"sequences {expected} to {entry.Sequence - 1} are missing before {entry}"
                    : $"sequence {entry.Sequence} comes after {expected - 1}: {entry}"));
            }

            expected = Math.Max(expected, entry.Sequence) + 1;
        }

        if (ledger.NextSequence is { } next && next != expected)
        {
            findings.Add(new(Invariant.GaplessSequences, $"the head's next sequence is {next}, the entries end at {expected - 1}"));
        }

        return bySequence;
    }

    private static void CheckSold(LedgerReading ledger, List<Finding> findings)
    {
        var sold = ledger.SoldByEntries();
        foreach (var channel in Enum.GetValues<Channel>())
        {
            if (sold[channel] > ledger.Policy.Caps[channel])
            {
                findings.Add(new(Invariant.SoldWithinCap, $"{channel} sold {sold[channel]} by the entries, past its cap of {ledger.Policy.Caps[channel]}"));
            }

            if (ledger.SoldCounters is { } counters && counters[channel] != sold[channel])
            {
                findings.Add(new(Invariant.CountersMatchEntries, $"the {channel} sold counter says {counters[channel]}, the entries {sold[channel]}"));
            }
        }
    }

    private static void CheckUsage(LedgerReading ledger, List<Finding> findings)
    {
        var used = ledger.Entries.GroupBy(e => e.CitizenId).ToDictionary(g => g.Key, g => g.Sum(e => e.Delta), StringComparer.Ordinal);
        var limit = ledger.Policy.CitizenMonthlyLimit;
        foreach (var (citizen, amount) in used.Where(u => u.Value > limit))
        {
            findings.Add(new(Invariant.UsageWithinLimit, $"{citizen} used {amount} by the entries, past the limit of {limit}"));
        }

        if (ledger.UsedCounters is not { } counters)
        {
            return;
        }

        foreach (var citizen in used.Keys.Union(counters.Keys))
        {
            var (byEntries, byCounter) = (used.GetValueOrDefault(citizen), counters.GetValueOrDefault(citizen));
            if (byEntries != byCounter)
            {
                findings.Add(new(Invariant.CountersMatchEntries, $"{citizen}'s usage counter says {byCounter}, the entries {byEntries}"));
            }
        }
    }

    private static void CheckKeys(LedgerReading ledger, List<Finding> findings)
    {
        // A citizen's own key is the citizen's; a teller's key is the teller's, whichever citizen it bought for.
        var seen = new Dictionary<(string Owner, string Key), AuditEntry>();
        foreach (var entry in ledger.Entries.Where(e => e is { Kind: LedgerEntryKind.Purchase, Key: not null }))
        {
            var owner = entry.SoldBy is { } teller ? $"teller {teller}" : $"citizen {entry.CitizenId}";
            if (!seen.TryAdd((owner, entry.Key!), entry))
            {
                findings.Add(new(Invariant.KeyBuysOnce, $"{owner}'s key {entry.Key} bought twice: {seen[(owner, entry.Key!)]} and {entry}"));
            }
        }
    }

    /// <returns>The purchases cancelled, by sequence.</returns>
    private static HashSet<long> CheckCancels(LedgerReading ledger, Dictionary<long, AuditEntry> bySequence, List<Finding> findings)
    {
        var cancelled = new HashSet<long>();
        foreach (var entry in ledger.Entries)
        {
            if (entry.Kind == LedgerEntryKind.Purchase)
            {
                if (entry.PurchaseSequence != entry.Sequence)
                {
                    findings.Add(new(Invariant.CancelsNamePurchasesOnce, $"a purchase names another purchase: {entry}"));
                }

                continue;
            }

            if (!bySequence.TryGetValue(entry.PurchaseSequence, out var purchase) || purchase.Kind != LedgerEntryKind.Purchase
                || purchase.Sequence >= entry.Sequence)
            {
                findings.Add(new(Invariant.CancelsNamePurchasesOnce, $"a cancel names no earlier purchase: {entry}"));
            }
            else if ((purchase.CitizenId, purchase.Channel, purchase.Amount) != (entry.CitizenId, entry.Channel, entry.Amount))
            {
                findings.Add(new(Invariant.CancelsNamePurchasesOnce, $"a cancel differs from the purchase it names: {entry} cancels {purchase}"));
            }

            if (!cancelled.Add(entry.PurchaseSequence))
            {
                findings.Add(new(Invariant.CancelsNamePurchasesOnce, $"purchase #{entry.PurchaseSequence} is cancelled twice, again by {entry}"));
            }
        }

        return cancelled;
    }

    private static void CheckConfirmations(
        LedgerReading ledger, Dictionary<long, AuditEntry> bySequence, HashSet<long> cancelled,
        IEnumerable<Confirmation> confirmations, List<Finding> findings)
    {
        foreach (var told in confirmations.Distinct())
        {
            if (!bySequence.TryGetValue(told.Sequence, out var entry) || entry.Kind != LedgerEntryKind.Purchase)
            {
                findings.Add(new(Invariant.ConfirmedInLedger, $"confirmed {told}, but the ledger holds no such purchase of {ledger.Sale}"));
                continue;
            }

            if ((entry.CitizenId, entry.Channel, entry.Amount) != (told.CitizenId, told.Channel, told.Amount)
                || (told.Price is { } price && price != entry.Price)
                || (told.Key is { } key && entry.Key is { } recorded && key != recorded))
            {
                findings.Add(new(Invariant.ConfirmedInLedger, $"confirmed {told}, but the ledger holds {entry}"));
                continue;
            }

            if (told.Cancelled != cancelled.Contains(told.Sequence))
            {
                findings.Add(new(Invariant.CancelsAsTold, told.Cancelled
                    ? $"told the cancel of {told} succeeded, but the ledger has no cancel of it"
                    : $"never told of a cancel of {told}, but the ledger cancels it"));
            }
        }
    }

    private static void CheckBuyers(LedgerReading ledger, IReadOnlyCollection<BuyerAnswer> buyers, List<Finding> findings)
    {
        foreach (var buyer in buyers.Where(b => b.Final is null))
        {
            findings.Add(new(Invariant.EveryRequestAnswered, $"no final answer: {buyer}"));
        }

        var told = buyers
            .Where(b => b.Final?.Purchase is { } p && b.Final.IsConfirmed && p.ProgramMonth == ledger.Sale)
            .Select(b => (b.Request.CitizenId, b.Final!.Purchase!.Sequence))
            .ToHashSet();
        foreach (var purchase in ledger.Entries.Where(e => e.Kind == LedgerEntryKind.Purchase && !told.Contains((e.CitizenId, e.Sequence))))
        {
            findings.Add(new(Invariant.EveryPurchaseTold, $"{purchase} was not finally answered Confirmed to its buyer"));
        }
    }
}
