using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// The auditor of a program-month that takes payment, read from outside (<see cref="PaymentTables"/>), against what
/// its buyers were told and the provider's own figures for each payer. Besides the promises of
/// <see cref="LedgerAuditor"/>, held amounts counting against the caps and limits, it checks the money: once nothing
/// is pending, each payer's net at the provider is the price of their confirmed, uncancelled purchases, no payer
/// lost more than their holds' prices, and every hold ended within its time and the minute allowed past it.
/// </summary>
public static class PaymentAuditor
{
    /// <summary>How long past its hold time a hold may stay open, whatever fails (API.md, "Payments").</summary>
    public static readonly TimeSpan ResolvedWithin = TimeSpan.FromSeconds(60);

    /// <param name="ledger">What was read of the program-month.</param>
    /// <param name="payers">The provider's figures for every payer of the sale (at least every citizen with a hold).</param>
    /// <param name="confirmations">Every confirmation any client was given.</param>
    /// <param name="buyers">Every buyer of the sale with their final answer, or null when not all buyers are known.</param>
    public static IReadOnlyList<Finding> Audit(
        PaymentReading ledger, IReadOnlyDictionary<string, PayerMoney> payers,
        IEnumerable<Confirmation>? confirmations = null, IReadOnlyCollection<BuyerAnswer>? buyers = null)
    {
        var findings = new List<Finding>();
        var holds = ledger.Holds().ToDictionary(h => h.Hold.Sequence);
        CheckSequences(ledger, findings);
        CheckAmounts(ledger, findings);
        CheckFollowUps(ledger, findings);
        CheckHolds(ledger, holds.Values, findings);
        CheckMoney(ledger, payers, findings);
        CheckConfirmations(ledger, holds, confirmations ?? [], findings);
        if (buyers is not null)
        {
            CheckBuyers(ledger, holds, buyers, findings);
        }

        return findings;
    }

    private static void CheckSequences(PaymentReading ledger, List<Finding> findings)
    {
        var sequences = ledger.Entries.Select(e => e.Sequence).ToArray();
        var expected = Enumerable.Range(1, sequences.Length).Select(i => (long)i);
        if (!sequences.SequenceEqual(expected))
        {
            findings.Add(new(Invariant.GaplessSequences, $"the {sequences.Length} entries' sequences are not 1 to {sequences.Length}"));
        }

        if (ledger.NextSequence is { } next && next != sequences.Length + 1)
        {
            findings.Add(new(Invariant.GaplessSequences, $"the head's next sequence is {next}, the entries end at {sequences.Length}"));
        }
    }

    /// <summary>
    /// Sold and held together stay within each cap after every entry, each citizen's usage (held or bought) within
    /// the limit, the counters equal the entries, and a key buys once.
    /// </summary>
    private static void CheckAmounts(PaymentReading ledger, List<Finding> findings)
    {
        var taken = ChannelAmounts.Zero;
        var used = new Dictionary<string, long>(StringComparer.Ordinal);
        var keys = new Dictionary<(string Owner, string Key), AuditEntry>();
        foreach (var entry in ledger.Entries)
        {
            var delta = PaymentReading.SoldBy(entry) + PaymentReading.HeldBy(entry);
            taken = taken.Add(entry.Channel, delta);
            if (delta > 0 && taken[entry.Channel] > ledger.Policy.Caps[entry.Channel])
            {
                findings.Add(new(Invariant.SoldWithinCap,
                    $"{entry.Channel} sold and held {taken[entry.Channel]} after {entry}, past its cap of {ledger.Policy.Caps[entry.Channel]}"));
            }

            used[entry.CitizenId] = used.GetValueOrDefault(entry.CitizenId) + delta;
            if (delta > 0 && used[entry.CitizenId] > ledger.Policy.CitizenMonthlyLimit)
            {
                findings.Add(new(Invariant.UsageWithinLimit,
                    $"{entry.CitizenId} held or bought {used[entry.CitizenId]} after {entry}, past the limit of {ledger.Policy.CitizenMonthlyLimit}"));
            }

            var owner = entry.SoldBy is { } teller ? $"teller {teller}" : $"citizen {entry.CitizenId}";
            if (entry.Key is { } key && !keys.TryAdd((owner, key), entry))
            {
                findings.Add(new(Invariant.KeyBuysOnce, $"{owner}'s key {key} bought twice: {keys[(owner, key)]} and {entry}"));
            }
        }

        var (sold, held) = (ledger.SoldByEntries(), ledger.HeldByEntries());
        foreach (var channel in Enum.GetValues<Channel>())
        {
            if (ledger.SoldCounters is { } soldCounters && soldCounters[channel] != sold[channel])
            {
                findings.Add(new(Invariant.CountersMatchEntries, $"the {channel} sold counter says {soldCounters[channel]}, the entries {sold[channel]}"));
            }

            if (ledger.HeldCounters is { } heldCounters && heldCounters[channel] != held[channel])
            {
                findings.Add(new(Invariant.CountersMatchEntries, $"the {channel} held counter says {heldCounters[channel]}, the entries {held[channel]}"));
            }
        }
    }

    /// <summary>An ending names an earlier hold, a cancel an earlier purchase or posted hold, each with its figures, and each once.</summary>
    private static void CheckFollowUps(PaymentReading ledger, List<Finding> findings)
    {
        var bySequence = ledger.Entries.ToDictionary(e => e.Sequence);
        var (ended, cancelled, posted) = (new HashSet<long>(), new HashSet<long>(), new HashSet<long>());
        foreach (var entry in ledger.Entries.Where(e => e.Kind is not (LedgerEntryKind.Purchase or LedgerEntryKind.Hold)))
        {
            var isCancel = entry.Kind == LedgerEntryKind.Cancel;
            var named = bySequence.GetValueOrDefault(entry.PurchaseSequence);
            var follows = isCancel
                ? named?.Kind == LedgerEntryKind.Purchase || posted.Contains(entry.PurchaseSequence)
                : named?.Kind == LedgerEntryKind.Hold;
            if (!follows || named!.Sequence >= entry.Sequence
                || (named.CitizenId, named.Channel, named.Amount, named.Price) != (entry.CitizenId, entry.Channel, entry.Amount, entry.Price))
            {
                findings.Add(new(Invariant.CancelsNamePurchasesOnce, $"{entry} follows no earlier purchase it can follow ({named?.ToString() ?? "none"})"));
            }

            if (!(isCancel ? cancelled : ended).Add(entry.PurchaseSequence))
            {
                findings.Add(new(Invariant.CancelsNamePurchasesOnce,
                    $"#{entry.PurchaseSequence} is {(isCancel ? "cancelled" : "ended")} twice, again by {entry}"));
            }

            if (entry.Kind == LedgerEntryKind.Post)
            {
                posted.Add(entry.PurchaseSequence);
            }
        }
    }

    /// <summary>Every hold ended within its time and the minute past it; the open-hold table lists none that ended.</summary>
    private static void CheckHolds(PaymentReading ledger, IEnumerable<HoldStanding> holds, List<Finding> findings)
    {
        var allowed = TimeSpan.FromSeconds(ledger.Policy.HoldSeconds) + ResolvedWithin;
        foreach (var hold in holds)
        {
            if (hold.OpenFor is not { } openFor)
            {
                findings.Add(new(Invariant.HoldsResolvedInTime, $"{hold.Hold}, taken at {hold.TakenAt:O}, is still open"));
            }
            else if (openFor > allowed)
            {
                findings.Add(new(Invariant.HoldsResolvedInTime,
                    $"{hold.Hold} stayed open {openFor.TotalSeconds:F1} s before its {hold.Ending}, past the {allowed.TotalSeconds:F0} s allowed"));
            }

            if ((hold.Ending is null) != ledger.OpenHolds.Contains(hold.Hold.Sequence))
            {
                findings.Add(new(Invariant.CountersMatchEntries, hold.Ending is null
                    ? $"the open-hold table does not list {hold.Hold}, which has no ending"
                    : $"the open-hold table lists {hold.Hold}, which ended by {hold.Ending}"));
            }
        }
    }

    /// <summary>
    /// Each payer with a hold or figures from the provider: what their vouchers cost, what their holds' prices come
    /// to, and what the provider says it took and gave back.
    /// </summary>
    public static IReadOnlyList<PayerCheck> CheckPayers(PaymentReading ledger, IReadOnlyDictionary<string, PayerMoney> payers)
    {
        var byPayer = ledger.Holds().ToLookup(h => h.Hold.CitizenId);
        return byPayer.Select(g => g.Key).Union(payers.Keys)
            .Select(payer => new PayerCheck(
                payer, payers.GetValueOrDefault(payer), byPayer[payer].Where(h => h.IsConfirmed).Sum(h => h.Hold.Price),
                byPayer[payer].Sum(h => h.Hold.Price)))
            .ToArray();
    }

    /// <summary>Nothing owed back is still owed, each payer's net is their vouchers' price, and no one was charged twice.</summary>
    private static void CheckMoney(PaymentReading ledger, IReadOnlyDictionary<string, PayerMoney> payers, List<Finding> findings)
    {
        foreach (var (sequence, _) in ledger.Refunds.Where(r => r.Value == "pending"))
        {
            findings.Add(new(Invariant.MoneyMatchesVouchers, $"the price of #{sequence} is still owed back to its payer"));
        }

        foreach (var payer in CheckPayers(ledger, payers))
        {
            if (payer.MoneyDiffers)
            {
                findings.Add(new(Invariant.MoneyMatchesVouchers, payer.Money is { } money
                    ? $"{payer.Payer} paid {money.Net} net (withdrawn {money.Withdrawn}, returned {money.Returned}), " +
                      $"their confirmed purchases cost {payer.Owed}"
                    : $"no figures from the provider for {payer.Payer}, whose confirmed purchases cost {payer.Owed}"));
            }

            if (payer.ChargedTwice)
            {
                findings.Add(new(Invariant.ChargedOnce,
                    $"{payer.Payer} had {payer.Money!.Withdrawn} withdrawn and {payer.Money.Returned} returned; their holds' prices come to {payer.HeldPrices}"));
            }
        }
    }

    private static void CheckConfirmations(
        PaymentReading ledger, Dictionary<long, HoldStanding> holds, IEnumerable<Confirmation> confirmations, List<Finding> findings)
    {
        var bySequence = ledger.Entries.ToDictionary(e => e.Sequence);
        foreach (var told in confirmations.Distinct())
        {
            var entry = bySequence.GetValueOrDefault(told.Sequence);
            var kept = entry?.Kind == LedgerEntryKind.Purchase || holds.GetValueOrDefault(told.Sequence)?.Ending == LedgerEntryKind.Post;
            if (entry is null || !kept
                || (entry.CitizenId, entry.Channel, entry.Amount) != (told.CitizenId, told.Channel, told.Amount)
                || (told.Price is { } price && price != entry.Price)
                || (told.Key is { } key && entry.Key is { } recorded && key != recorded))
            {
                var standing = holds.TryGetValue(told.Sequence, out var hold) ? $" ({hold.Ending?.ToString() ?? "open"})" : "";
                findings.Add(new(Invariant.ConfirmedInLedger, $"confirmed {told}, but the ledger holds {entry?.ToString() ?? "nothing"}{standing}"));
            }
        }
    }

    /// <summary>
    /// Each buyer got a final answer (a pending one is none), a declined buyer's hold ended without a payment, and every
    /// purchase or hold in the ledger was answered as it stands to the buyer whose key made it.
    /// </summary>
    private static void CheckBuyers(
        PaymentReading ledger, Dictionary<long, HoldStanding> holds, IReadOnlyCollection<BuyerAnswer> buyers, List<Finding> findings)
    {
        foreach (var buyer in buyers.Where(b => b.Final is null or { Outcome: PurchaseOutcome.Pending }))
        {
            findings.Add(new(Invariant.EveryRequestAnswered, $"no final answer: {buyer}"));
        }

        foreach (var buyer in buyers.Where(b => b.Final is { Outcome: PurchaseOutcome.PaymentDeclined }))
        {
            if (buyer.Final!.Purchase is not { } purchase || holds.GetValueOrDefault(purchase.Sequence) is not { IsVoided: true } hold
                || hold.Hold.CitizenId != buyer.Request.CitizenId)
            {
                findings.Add(new(Invariant.DeclinedAsTold, $"told declined, but the ledger has no such hold ended without payment: {buyer}"));
            }
        }

        var told = buyers.Where(b => b.Final?.Purchase is { } p && p.ProgramMonth == ledger.Sale)
            .Select(b => (b.Request.CitizenId, b.Final!.Purchase!.Sequence, b.Final.Outcome))
            .ToHashSet();
        foreach (var entry in ledger.Entries.Where(e => e.Kind is LedgerEntryKind.Purchase or LedgerEntryKind.Hold))
        {
            var expected = holds.GetValueOrDefault(entry.Sequence) is { IsVoided: true } ? PurchaseOutcome.PaymentDeclined : PurchaseOutcome.Confirmed;
            if (!told.Contains((entry.CitizenId, entry.Sequence, expected)))
            {
                findings.Add(new(Invariant.EveryPurchaseTold, $"{entry} was not finally answered {expected} to its buyer"));
            }
        }
    }
}
