using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing.Tests;

/// <summary>
/// The auditor on hand-built ledgers: a sound one passes, and each broken invariant is found, named, and
/// nothing else is reported with it.
/// </summary>
public sealed class LedgerAuditorTests
{
    private const long Amount = 10_000;
    private const long Price = 9_000;

    private static readonly ProgramMonth Sale = new("audited", "2026-12");

    private static readonly Policy Policy = new(
        DateTimeOffset.UnixEpoch, DiscountBps: 1_000, CitizenMonthlyLimit: 2 * Amount, Unit: Amount, new ChannelAmounts(3 * Amount, Amount));

    [Fact]
    public void A_sound_ledger_with_a_cancel_and_a_teller_sale_holds_every_invariant()
    {
        var entries = new[]
        {
            Buy(1, "c1", "k1"), Buy(2, "c2", "k1"), Buy(3, "c3", "t1", Channel.Paper, soldBy: "counter-1"), Cancel(4, 1, "c1"),
        };
        var buyers = new[] { Told("c1", "k1", 1), Told("c2", "k1", 2), Told("c3", "t1", 3, Channel.Paper) };

        var findings = LedgerAuditor.Audit(
            Reading(entries, new ChannelAmounts(Amount, Amount), nextSequence: 5),
            [Confirmed(1, "c1", "k1", cancelled: true), Confirmed(2, "c2", "k1"), Confirmed(3, "c3", "t1", Channel.Paper)],
            buyers);

        Assert.Empty(findings);
    }

    [Fact]
    public void A_gap_in_the_sequences_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1"), Buy(3, "c2", "k1")]));

        Assert.Equal([Invariant.GaplessSequences], Rules(findings));
        Assert.Contains("sequences 2 to 2 are missing", findings[0].Text);
    }

    [Fact]
    public void A_head_whose_next_sequence_does_not_follow_the_last_entry_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1")], nextSequence: 3));

        Assert.Equal([Invariant.GaplessSequences], Rules(findings));
    }

    [Fact]
    public void An_oversold_channel_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1", Channel.Paper), Buy(2, "c2", "k1", Channel.Paper)]));

        Assert.Equal([Invariant.SoldWithinCap], Rules(findings));
        Assert.Contains("Paper sold 20000", findings[0].Text);
    }

    [Fact]
    public void A_sold_counter_that_disagrees_with_the_entries_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1")], sold: new ChannelAmounts(2 * Amount, 0)));

        Assert.Equal([Invariant.CountersMatchEntries], Rules(findings));
    }

    [Fact]
    public void A_citizen_over_the_monthly_limit_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1"), Buy(2, "c1", "k2"), Buy(3, "c1", "k3")]));

        Assert.Equal([Invariant.UsageWithinLimit], Rules(findings));
        Assert.Contains("c1 used 30000", findings[0].Text);
    }

    [Fact]
    public void A_citizens_key_that_bought_twice_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1"), Buy(2, "c1", "k1")]));

        Assert.Equal([Invariant.KeyBuysOnce], Rules(findings));
    }

    [Fact]
    public void A_tellers_key_that_bought_for_two_citizens_is_found_while_two_citizens_own_keys_alike_are_not()
    {
        var findings = LedgerAuditor.Audit(Reading(
            [Buy(1, "c1", "k1"), Buy(2, "c2", "k1"), Buy(3, "c3", "t1", soldBy: "counter-1"), Buy(4, "c4", "t1", Channel.Paper, soldBy: "counter-1")]));

        Assert.Equal([Invariant.KeyBuysOnce], Rules(findings));
        Assert.Contains("teller counter-1's key t1", findings[0].Text);
    }

    [Fact]
    public void A_confirmed_answer_missing_from_the_ledger_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1")]), [Confirmed(1, "c1", "k1"), Confirmed(2, "c2", "k1")]);

        Assert.Equal([Invariant.ConfirmedInLedger], Rules(findings));
        Assert.Contains("#2 to c2", findings[0].Text);
    }

    [Fact]
    public void A_confirmed_answer_the_ledger_holds_with_other_figures_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1")]), [Confirmed(1, "c1", "k1") with { Price = Price + 1 }]);

        Assert.Equal([Invariant.ConfirmedInLedger], Rules(findings));
    }

    [Fact]
    public void A_cancel_the_client_was_told_of_but_the_ledger_lacks_is_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1")]), [Confirmed(1, "c1", "k1", cancelled: true)]);

        Assert.Equal([Invariant.CancelsAsTold], Rules(findings));
    }

    [Fact]
    public void A_cancel_of_no_purchase_and_a_second_cancel_of_one_are_found()
    {
        var findings = LedgerAuditor.Audit(Reading([Buy(1, "c1", "k1"), Cancel(2, 1, "c1"), Cancel(3, 1, "c1"), Cancel(4, 9, "c1")]));

        Assert.Equal([Invariant.CancelsNamePurchasesOnce, Invariant.CancelsNamePurchasesOnce], Rules(findings));
    }

    [Fact]
    public void A_buyer_left_without_an_answer_and_a_purchase_never_told_are_found()
    {
        var findings = LedgerAuditor.Audit(
            Reading([Buy(1, "c1", "k1"), Buy(2, "c2", "k1")]), [Confirmed(1, "c1", "k1")],
            [Told("c1", "k1", 1), new BuyerAnswer(new PurchaseRequest(Sale, "c2", "k1", Channel.Mobile, Amount), null, "c2/k1")]);

        Assert.Equal([Invariant.EveryRequestAnswered, Invariant.EveryPurchaseTold], Rules(findings));
    }

    private static Invariant[] Rules(IReadOnlyList<Finding> findings) => findings.Select(f => f.Invariant).ToArray();

    private static LedgerReading Reading(AuditEntry[] entries, ChannelAmounts? sold = null, long? nextSequence = null) =>
        new(Sale, Policy, entries, sold, nextSequence);

    private static AuditEntry Buy(long sequence, string citizen, string key, Channel channel = Channel.Mobile, string? soldBy = null) =>
        new(sequence, LedgerEntryKind.Purchase, sequence, citizen, channel, Amount, Price, key, soldBy);

    private static AuditEntry Cancel(long sequence, long purchase, string citizen) =>
        new(sequence, LedgerEntryKind.Cancel, purchase, citizen, Channel.Mobile, Amount, Price);

    private static Confirmation Confirmed(long sequence, string citizen, string key, Channel channel = Channel.Mobile, bool cancelled = false) =>
        new(sequence, citizen, channel, Amount, key, Price, cancelled);

    private static BuyerAnswer Told(string citizen, string key, long sequence, Channel channel = Channel.Mobile)
    {
        var request = new PurchaseRequest(Sale, citizen, key, channel, Amount);
        var purchase = new Purchase(
            PurchaseIds.Format(Sale, sequence), Sale, citizen, channel, Amount, Price, PurchaseStatus.Confirmed, DateTimeOffset.UnixEpoch, sequence);
        return new BuyerAnswer(request, PurchaseResult.Confirmed(purchase, Amount), $"{citizen}/{key}");
    }
}
