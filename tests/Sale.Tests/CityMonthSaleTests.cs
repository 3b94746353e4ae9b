using static Ledger.Sale.Tests.SaleFixtures;

namespace Ledger.Sale.Tests;

public sealed class CityMonthSaleTests
{
    [Fact]
    public void Refusals_follow_the_contracts_order()
    {
        var sale = NewSale(Rules(mobileCap: Unit));
        // An amount that is no whole unit is refused before the opening is even looked at.
        Assert.Equal(PurchaseOutcome.InvalidAmount, sale.Admit(Claim("c1", Unit + 1), now: Opening.AddDays(-1))!.Outcome);
        var early = sale.Admit(Claim("c1"), now: Opening.AddMinutes(-1))!;
        Assert.Equal((PurchaseOutcome.NotOpen, Opening), (early.Outcome, early.OpensAt));
        // Each refusal is its key's answer for good (RejectionsTests), so each case here has a key of its own.
        Assert.Equal(PurchaseOutcome.Closed, sale.Admit(Claim("c1", key: "k2"), used: Limit, now: End)!.Outcome);
        // Over the limit and over the cap: the limit is named first.
        var overLimit = sale.Admit(Claim("c1", 2 * Unit, key: "k3"), used: Limit - Unit)!;
        Assert.Equal((PurchaseOutcome.LimitExceeded, Unit), (overLimit.Outcome, overLimit.Remaining));
        var overCap = sale.Admit(Claim("c1", 2 * Unit, key: "k4"))!;
        Assert.Equal((PurchaseOutcome.SoldOut, Unit), (overCap.Outcome, overCap.Remaining));
    }

    [Fact]
    public void The_pre_queue_answers_before_the_opening_only_within_its_minutes()
    {
        var sale = NewSale(Rules(preQueueMinutes: 10));
        Assert.Equal(PurchaseOutcome.PreQueue, sale.Admit(Claim("c1"), now: Opening.AddMinutes(-10))!.Outcome);
        Assert.Equal(PurchaseOutcome.NotOpen, sale.Admit(Claim("c1"), now: Opening.AddMinutes(-11))!.Outcome);
        Assert.False(Answer.IsFinalOutcome(PurchaseOutcome.PreQueue));
    }

    [Fact]
    public void An_admitted_purchase_reserves_the_cap_until_its_batch_is_answered()
    {
        var sale = NewSale(Rules(mobileCap: Unit));
        Assert.Null(sale.Admit(Claim("c1")));
        Assert.Equal(0, sale.Remaining(Channel.Mobile));
        Assert.Equal(PurchaseOutcome.SoldOut, sale.Admit(Claim("c2"))!.Outcome);

        var batch = sale.TakeBatch();
        sale.Abandon(batch, outcomeUnknown: false);
        Assert.Equal(Unit, sale.Remaining(Channel.Mobile));
        Assert.False(sale.HeadInDoubt);
    }

    [Fact]
    public void A_retry_while_the_first_attempt_waits_shares_it_and_another_body_conflicts()
    {
        var sale = NewSale();
        var first = Claim("c1");
        sale.Admit(first, 0, Open, 0, static (c, p, _) => new PendingPurchase(c, p), out var queued);
        var twice = static PendingPurchase (Claim _, long _, int _) => throw new InvalidOperationException("queued twice");
        Assert.Null(sale.Admit(first with { }, 0, Open, 0, twice, out var joined));
        Assert.Same(queued, joined);
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, sale.Admit(Claim("c1", 2 * Unit))!.Outcome);
        Assert.Equal(1, sale.Queued);
    }

    [Fact]
    public void A_tellers_key_buys_for_one_citizen_whether_it_waits_or_bought()
    {
        var sale = NewSale();
        Assert.Null(sale.Admit(Claim("c1", teller: "t1")));
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, sale.Admit(Claim("c2", teller: "t1"))!.Outcome);
        // Another teller's same key is another key.
        Assert.Null(sale.Admit(Claim("c2", teller: "t2")));

        var batch = sale.TakeBatch();
        sale.Apply(batch, AllConfirmed(batch));
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, sale.Admit(Claim("c3", teller: "t1"))!.Outcome);
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, sale.RefuseNewcomer(Claim("c3", teller: "t1"), Open)!.Outcome);
    }

    [Fact]
    public void A_batch_takes_each_citizen_and_each_tellers_key_once()
    {
        var sale = NewSale();
        sale.Admit(Claim("c1", key: "a"));
        sale.Admit(Claim("c1", key: "b"));
        sale.Admit(Claim("c2", key: "x", teller: "t1"));
        Assert.Null(sale.Admit(Claim("c3", key: "y", teller: "t1")));

        var batch = sale.TakeBatch();
        Assert.Equal(["c1", "c2", "c3"], batch.Purchases.Select(p => p.CitizenId));
        Assert.Equal(1, sale.Queued);
        Assert.Equal(["c1"], sale.TakeBatch().Purchases.Select(p => p.CitizenId));
    }

    [Fact]
    public void Applying_a_batch_moves_the_head_and_learns_the_buyers()
    {
        var sale = NewSale();
        sale.Admit(Claim("c1"));
        sale.Admit(Claim("c2", 2 * Unit));
        var batch = sale.TakeBatch();
        var limited = Entry(CommitOutcome.LimitExceeded, 0, Channel.Mobile, 2 * Unit, used: Limit - Unit) with { Sequence = null };
        var answers = sale.Apply(batch, new CommitResult([], [Entry(CommitOutcome.Confirmed, 1, Channel.Mobile, Unit), limited]));

        Assert.Equal(PurchaseOutcome.Confirmed, answers[0].Outcome);
        Assert.Equal((PurchaseOutcome.LimitExceeded, Unit, Limit - Unit), (answers[1].Outcome, answers[1].Remaining, answers[1].CitizenUsed));
        Assert.Equal(new LedgerHead(1, 2, new ChannelAmounts(Unit, 0)), sale.Head);
        Assert.Equal((true, false), (sale.HasBought("c1"), sale.HasBought("c2")));
    }

    [Fact]
    public void A_commit_past_the_cap_breaks_an_invariant_loudly()
    {
        var sale = NewSale(Rules(mobileCap: Unit));
        sale.Admit(Claim("c1"));
        var batch = sale.TakeBatch();
        Assert.Throws<InvalidOperationException>(
            () => sale.Apply(batch, new CommitResult([], [Entry(CommitOutcome.Confirmed, 1, Channel.Mobile, 2 * Unit)])));
    }

    [Fact]
    public void After_a_broken_invariant_the_head_is_in_doubt_and_no_buyer_is_vouched_for()
    {
        var sale = NewSale(Rules(mobileCap: Unit));
        sale.Admit(Claim("c1"));
        var batch = sale.TakeBatch();
        Assert.ThrowsAny<Exception>(() => sale.Apply(batch, new CommitResult([], [])));
        Assert.True(sale.HeadInDoubt);
        Assert.Null(sale.HasBought("c2"));
        Assert.Equal(Unit, sale.Remaining(Channel.Mobile));
    }

    [Fact]
    public void An_unknown_outcome_puts_the_head_in_doubt_and_a_reload_sells_out_what_no_longer_fits()
    {
        var sale = NewSale(Rules(mobileCap: 2 * Unit));
        sale.Admit(Claim("c1"));
        var lost = sale.TakeBatch();
        sale.Admit(Claim("c2"));
        sale.Abandon(lost, outcomeUnknown: true);
        Assert.True(sale.HeadInDoubt);
        Assert.Null(sale.HasBought("c1"));

        // The lost commit landed, and so did another: nothing is left for c2.
        var buyers = new Buyers();
        buyers.Add("c1", "k");
        var soldOut = sale.Reload(new LedgerHead(1, 3, new ChannelAmounts(2 * Unit, 0)), buyers);
        Assert.Equal("c2", Assert.Single(soldOut).Purchase.CitizenId);
        Assert.Equal((PurchaseOutcome.SoldOut, 0L, (bool?)false), (soldOut[0].Answer.Outcome, soldOut[0].Answer.Remaining, soldOut[0].Answer.CitizenHasBought));
        Assert.Equal(0, sale.Queued);
        Assert.False(sale.HeadInDoubt);
    }

    [Fact]
    public void While_a_policy_change_is_saved_purchases_meet_both_policies()
    {
        var sale = NewSale(Rules(limit: Limit));
        sale.BeginChange(Rules(limit: Unit));
        Assert.Equal(PurchaseOutcome.LimitExceeded, sale.Admit(Claim("c1", 2 * Unit))!.Outcome);
        Assert.Null(sale.CheckIncomingCaps());
        sale.Admit(Claim("c2"));
        Assert.Equal(Unit, sale.TakeBatch().Limits.CitizenMonthlyLimit);
        sale.EndChange();
        Assert.Null(sale.Admit(Claim("c1", 2 * Unit, key: "k2")));
    }

    [Fact]
    public void A_new_cap_below_what_is_sold_and_reserved_is_named()
    {
        var sale = NewSale(sold: 3 * Unit);
        sale.Admit(Claim("c1"));
        sale.BeginChange(Rules(mobileCap: 3 * Unit));
        Assert.Equal((Channel.Mobile, 4 * Unit), sale.CheckIncomingCaps());
    }

    [Fact]
    public void A_stopped_sale_admits_nothing_and_hands_back_what_waited()
    {
        var sale = NewSale();
        sale.Admit(Claim("c1"));
        Assert.True(sale.TryQueue(new PendingFollowUp(FollowUp.Cancel, 1, "c2", Channel.Mobile, Unit)));
        Assert.Equal(2, sale.Stop().Count);
        Assert.Equal(PurchaseOutcome.Busy, sale.Admit(Claim("c3"))!.Outcome);
        Assert.False(sale.TryQueue(new PendingFollowUp(FollowUp.Cancel, 1, "c2", Channel.Mobile, Unit)));
        Assert.Equal(1_000_000, sale.Remaining(Channel.Mobile));
    }

    [Fact]
    public void A_newcomer_is_refused_alone_only_when_the_refusal_is_final_and_they_never_bought()
    {
        var sale = NewSale(Rules(mobileCap: 0, preQueueMinutes: 10));
        Assert.Equal((PurchaseOutcome.SoldOut, (bool?)false), Refuse(sale, Claim("c1"), Open));
        Assert.Null(sale.RefuseNewcomer(Claim("c1", key: "k2"), Opening.AddMinutes(-5)));

        var untracked = new CityMonthSale(new LedgerHead(1, 1, ChannelAmounts.Zero), buyers: null);
        untracked.Enforce(Rules(mobileCap: 0));
        Assert.Null(untracked.RefuseNewcomer(Claim("c1"), Open));

        static (PurchaseOutcome, bool?) Refuse(CityMonthSale sale, Claim claim, DateTimeOffset now) =>
            sale.RefuseNewcomer(claim, now) is { } answer ? (answer.Outcome, answer.CitizenHasBought) : default;
    }
}
