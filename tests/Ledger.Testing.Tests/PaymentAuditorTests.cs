using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing.Tests;

/// <summary>
/// The payment auditor on hand-built ledgers of a sale that takes payment, with the provider's figures for each
/// payer: a sound one passes, and each broken promise is found and named.
/// </summary>
public sealed class PaymentAuditorTests
{
    private const long Amount = 10_000;
    private const long Price = 9_000;
    private const int HoldSeconds = 60;

    private static readonly ProgramMonth Sale = new("paid", "2026-12");

    private static readonly Policy Policy = new(
        DateTimeOffset.UnixEpoch, DiscountBps: 1_000, CitizenMonthlyLimit: 2 * Amount, Unit: Amount, new ChannelAmounts(2 * Amount, 0),
        Payment: PaymentMethod.Account, HoldSeconds: HoldSeconds);

    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_sound_ledger_of_holds_posted_declined_expired_and_cancelled_holds_every_invariant()
    {
        // c1 bought; c2 was declined; c3's hold expired and the provider, which took the price late, returned it;
        // c4 bought, then cancelled and got the price back.
        var entries = new[]
        {
            Hold(1, "c1"), Hold(2, "c2"), Post(3, 1, "c1"), Ending(4, LedgerEntryKind.Void, 2, "c2"), Hold(5, "c3"),
            Ending(6, LedgerEntryKind.Expire, 5, "c3"), Hold(7, "c4"), Post(8, 7, "c4"), Ending(9, LedgerEntryKind.Cancel, 7, "c4"),
        };
        var payers = Payers(("c1", Price, 0), ("c2", 0, 0), ("c3", Price, Price), ("c4", Price, Price));
        var buyers = new[] { Told("c1", 1, PurchaseOutcome.Confirmed), Told("c2", 2, PurchaseOutcome.PaymentDeclined),
            Told("c3", 5, PurchaseOutcome.PaymentDeclined), Told("c4", 7, PurchaseOutcome.Confirmed) };

        var reading = Reading(entries, refunds: new() { [5] = "done", [7] = "done" }) with
        {
            SoldCounters = new(Amount, 0), HeldCounters = ChannelAmounts.Zero, NextSequence = 10,
        };
        var findings = PaymentAuditor.Audit(reading, payers, [Confirmed(1, "c1")], buyers);

        Assert.Empty(findings);
        Assert.Equal(1, reading.ConfirmedCount);
        Assert.All(PaymentAuditor.CheckPayers(reading, payers), p => Assert.False(p.MoneyDiffers || p.ChargedTwice));
    }

    [Fact]
    public void A_payer_charged_for_a_declined_hold_is_found_as_money_that_differs_from_vouchers()
    {
        var findings = PaymentAuditor.Audit(
            Reading([Hold(1, "c1"), Ending(2, LedgerEntryKind.Void, 1, "c1")]), Payers(("c1", Price, 0)));

        Assert.Equal([Invariant.MoneyMatchesVouchers], Rules(findings));
        Assert.Contains("c1 paid 9000 net", findings[0].Text);
    }

    [Fact]
    public void A_payer_charged_twice_for_one_hold_is_found()
    {
        var findings = PaymentAuditor.Audit(Reading([Hold(1, "c1"), Post(2, 1, "c1")]), Payers(("c1", 2 * Price, 0)));

        Assert.Equal([Invariant.MoneyMatchesVouchers, Invariant.ChargedOnce], Rules(findings));
        Assert.Contains("their holds' prices come to 9000", findings[1].Text);
    }

    [Fact]
    public void A_payer_the_provider_has_no_figures_for_is_found()
    {
        var findings = PaymentAuditor.Audit(Reading([Hold(1, "c1"), Post(2, 1, "c1")]), Payers());

        Assert.Equal([Invariant.MoneyMatchesVouchers], Rules(findings));
    }

    [Fact]
    public void A_refund_still_owed_is_found()
    {
        var findings = PaymentAuditor.Audit(
            Reading([Hold(1, "c1"), Ending(2, LedgerEntryKind.Expire, 1, "c1")], refunds: new() { [1] = "pending" }), Payers(("c1", 0, 0)));

        Assert.Equal([Invariant.MoneyMatchesVouchers], Rules(findings));
        Assert.Contains("still owed back", findings[0].Text);
    }

    [Fact]
    public void A_hold_still_open_and_one_that_ended_past_its_time_are_found()
    {
        var late = Start.AddSeconds(2 + HoldSeconds + 61);
        var findings = PaymentAuditor.Audit(
            Reading([Hold(1, "c1"), Hold(2, "c2"), Post(3, 2, "c2")], open: [1], writtenAt: new() { [3] = late }),
            Payers(("c1", 0, 0), ("c2", Price, 0)));

        Assert.Equal([Invariant.HoldsResolvedInTime, Invariant.HoldsResolvedInTime], Rules(findings));
        Assert.Contains("is still open", findings[0].Text);
        Assert.Contains("stayed open 121.0 s", findings[1].Text);
    }

    [Fact]
    public void An_open_hold_table_that_disagrees_with_the_entries_is_found()
    {
        var findings = PaymentAuditor.Audit(Reading([Hold(1, "c1"), Post(2, 1, "c1")], open: [1]), Payers(("c1", Price, 0)));

        Assert.Equal([Invariant.CountersMatchEntries], Rules(findings));
    }

    [Fact]
    public void Holds_past_the_cap_are_found_even_once_one_of_them_was_voided()
    {
        var entries = new[]
        {
            Hold(1, "c1"), Hold(2, "c2"), Hold(3, "c3"), Ending(4, LedgerEntryKind.Void, 3, "c3"), Post(5, 1, "c1"), Post(6, 2, "c2"),
        };

        var findings = PaymentAuditor.Audit(Reading(entries), Payers(("c1", Price, 0), ("c2", Price, 0), ("c3", 0, 0)));

        Assert.Equal([Invariant.SoldWithinCap], Rules(findings));
        Assert.Contains("Mobile sold and held 30000", findings[0].Text);
    }

    [Fact]
    public void A_held_counter_that_disagrees_with_the_entries_is_found()
    {
        var findings = PaymentAuditor.Audit(
            Reading([Hold(1, "c1"), Post(2, 1, "c1")]) with { SoldCounters = new(Amount, 0), HeldCounters = new(Amount, 0) },
            Payers(("c1", Price, 0)));

        Assert.Equal([Invariant.CountersMatchEntries], Rules(findings));
        Assert.Contains("held counter", findings[0].Text);
    }

    [Fact]
    public void A_second_ending_of_a_hold_and_a_cancel_of_a_declined_one_are_found()
    {
        var entries = new[]
        {
            Hold(1, "c1"), Post(2, 1, "c1"), Ending(3, LedgerEntryKind.Void, 1, "c1"),
            Hold(4, "c2"), Ending(5, LedgerEntryKind.Void, 4, "c2"), Ending(6, LedgerEntryKind.Cancel, 4, "c2"),
        };

        var findings = PaymentAuditor.Audit(Reading(entries), Payers(("c1", Price, 0), ("c2", 0, 0)));

        Assert.Equal([Invariant.CancelsNamePurchasesOnce, Invariant.CancelsNamePurchasesOnce], Rules(findings));
        Assert.Contains("#1 is ended twice", findings[0].Text);
        Assert.Contains("#6 Cancel of #4", findings[1].Text);
    }

    [Fact]
    public void A_buyer_told_confirmed_whose_hold_was_voided_and_one_told_declined_whose_hold_posted_are_found()
    {
        var entries = new[] { Hold(1, "c1"), Hold(2, "c2"), Ending(3, LedgerEntryKind.Void, 1, "c1"), Post(4, 2, "c2") };

        var findings = PaymentAuditor.Audit(
            Reading(entries), Payers(("c1", 0, 0), ("c2", Price, 0)), [Confirmed(1, "c1")],
            [Told("c1", 1, PurchaseOutcome.Confirmed), Told("c2", 2, PurchaseOutcome.PaymentDeclined)]);

        Assert.Equal(
            [Invariant.ConfirmedInLedger, Invariant.DeclinedAsTold, Invariant.EveryPurchaseTold, Invariant.EveryPurchaseTold],
            Rules(findings));
    }

    [Fact]
    public void A_buyer_left_pending_is_found_unanswered()
    {
        var request = new PurchaseRequest(Sale, "c1", "k-c1", Channel.Mobile, Amount);
        var pending = new BuyerAnswer(request, new PurchaseResult(PurchaseOutcome.Pending, Purchase("c1", 1, PurchaseStatus.Pending)), "c1");

        var findings = PaymentAuditor.Audit(Reading([Hold(1, "c1")], open: [1]), Payers(("c1", 0, 0)), buyers: [pending]);

        Assert.Equal([Invariant.HoldsResolvedInTime, Invariant.EveryRequestAnswered, Invariant.EveryPurchaseTold], Rules(findings));
    }

    private static Invariant[] Rules(IReadOnlyList<Finding> findings) => findings.Select(f => f.Invariant).ToArray();

    /// <summary>A reading whose entries were each written a second after the one before, unless given.</summary>
    private static PaymentReading Reading(
        AuditEntry[] entries, long[]? open = null, Dictionary<long, string>? refunds = null, Dictionary<long, DateTimeOffset>? writtenAt = null) =>
        new(Sale, Policy, entries,
            entries.ToDictionary(
                e => e.Sequence, e => writtenAt is not null && writtenAt.TryGetValue(e.Sequence, out var at) ? at : Start.AddSeconds(e.Sequence)),
            (open ?? []).ToHashSet(), refunds ?? []);

    private static Dictionary<string, PayerMoney> Payers(params (string Payer, long Withdrawn, long Returned)[] payers) =>
        payers.ToDictionary(p => p.Payer, p => new PayerMoney(p.Withdrawn, p.Returned));

    private static AuditEntry Hold(long sequence, string citizen) =>
        new(sequence, LedgerEntryKind.Hold, sequence, citizen, Channel.Mobile, Amount, Price, $"k-{citizen}");

    private static AuditEntry Post(long sequence, long hold, string citizen) => Ending(sequence, LedgerEntryKind.Post, hold, citizen);

    private static AuditEntry Ending(long sequence, LedgerEntryKind kind, long hold, string citizen) =>
        new(sequence, kind, hold, citizen, Channel.Mobile, Amount, Price);

    private static Confirmation Confirmed(long sequence, string citizen) => new(sequence, citizen, Channel.Mobile, Amount, $"k-{citizen}", Price);

    private static Purchase Purchase(string citizen, long sequence, PurchaseStatus status) =>
        new(PurchaseIds.Format(Sale, sequence), Sale, citizen, Channel.Mobile, Amount, Price, status, Start, sequence);

    private static BuyerAnswer Told(string citizen, long sequence, PurchaseOutcome outcome)
    {
        var status = outcome == PurchaseOutcome.Confirmed ? PurchaseStatus.Confirmed : PurchaseStatus.Voided;
        var request = new PurchaseRequest(Sale, citizen, $"k-{citizen}", Channel.Mobile, Amount);
        return new BuyerAnswer(request, new PurchaseResult(outcome, Purchase(citizen, sequence, status)), $"{citizen}: {outcome}");
    }
}
