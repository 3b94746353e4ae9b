using static Ledger.Sale.Tests.SaleFixtures;

namespace Ledger.Sale.Tests;

/// <summary>A final refusal is its key's answer for good: kept, answered again, and handed to the writer in order.</summary>
public sealed class RejectionsTests
{
    [Fact]
    public void A_refused_key_gets_its_first_refusal_again_when_the_cap_has_room_and_another_body_conflicts()
    {
        var sale = NewSale(Rules(mobileCap: Unit), sold: Unit);
        var first = sale.Admit(Claim("c1"))!;
        sale.Enforce(Rules(mobileCap: 2 * Unit));

        Assert.Equal(Answer.SoldOut(0) with { CitizenHasBought = false }, first);
        Assert.Equal(first, sale.Admit(Claim("c1")));
        Assert.Equal(first, sale.RefuseNewcomer(Claim("c1"), Open));
        Assert.Equal(Answer.Conflict, sale.Admit(Claim("c1", 2 * Unit)));
        Assert.Null(sale.Admit(Claim("c1", key: "k2")));
        Assert.Equal(1, sale.Rejections.Unwritten);
    }

    [Fact]
    public void A_refusal_judged_on_a_usage_that_may_be_low_is_not_kept_until_the_usage_is_exact()
    {
        var buyers = new Buyers();
        buyers.Add("c1", "bought");
        var sale = new CityMonthSale(new LedgerHead(1, 1, ChannelAmounts.Zero), buyers);
        sale.Enforce(Rules(mobileCap: 0));

        var guess = sale.Admit(Claim("c1"))!;
        Assert.Equal(0, sale.Rejections.Count);
        var exact = sale.Admit(Claim("c1"), Open, usageExact: true)!;

        Assert.Equal((PurchaseOutcome.SoldOut, PurchaseOutcome.SoldOut), (guess.Outcome, exact.Outcome));
        Assert.Equal(PurchaseOutcome.SoldOut, sale.Rejections.Find(Claim("c1"))?.Answer.Outcome);
    }

    [Fact]
    public void The_databases_refusal_over_the_limit_is_kept_without_its_usage()
    {
        var sale = NewSale();
        sale.Admit(Claim("c1"));
        var batch = sale.TakeBatch();
        var overLimit = Entry(CommitOutcome.LimitExceeded, 0, Channel.Mobile, Unit, used: Limit) with { Sequence = null };

        var answers = sale.Apply(batch, new CommitResult([], [overLimit]));

        Assert.Equal(Answer.LimitExceeded(0, Limit), answers[0]);
        Assert.Equal(Answer.LimitExceeded(0), sale.Rejections.Find(Claim("c1"))?.Answer);
    }

    [Fact]
    public void Refusals_are_written_oldest_first_and_a_failed_write_goes_back_to_the_front()
    {
        var rejections = new Rejections();
        foreach (var citizen in new[] { "c1", "c2", "c3" })
        {
            Assert.True(rejections.TryRecord(Rejection.Of(Claim(citizen), Answer.SoldOut(0), Open)));
        }

        var failed = rejections.TakeUnwritten(2);
        rejections.ReturnUnwritten(failed);
        var written = rejections.TakeUnwritten(3);
        rejections.MarkWritten(written);

        Assert.Equal(["c1", "c2", "c3"], written.Select(r => r.Claim.CitizenId));
        Assert.Equal((0, 3), (rejections.Unwritten, rejections.Count));
    }

    [Fact]
    public void Past_its_bound_of_unwritten_refusals_a_refusal_is_not_answered_but_Busy()
    {
        var sale = NewSale(Rules(mobileCap: 0));
        for (var i = 0; i < Rejections.UnwrittenMax; i++)
        {
            Assert.Equal(PurchaseOutcome.SoldOut, sale.Admit(Claim($"c{i}"))!.Outcome);
        }

        Assert.Equal(Answer.Busy, sale.Admit(Claim("late")));
        Assert.Null(sale.RefuseNewcomer(Claim("late"), Open));
        sale.Rejections.MarkWritten(sale.Rejections.TakeUnwritten(RejectionWriterBatch));
        Assert.Equal(PurchaseOutcome.SoldOut, sale.Admit(Claim("late"))!.Outcome);
    }

    private const int RejectionWriterBatch = 5_000;
}
