using static Ledger.Sale.Tests.SaleFixtures;

namespace Ledger.Sale.Tests;

public sealed class CitizenMonthTests
{
    private sealed record Bought(long Sequence, Channel Channel, long Amount) : IRecordedPurchase;

    [Fact]
    public void A_refusal_made_without_the_database_is_checked_until_the_history_is_known()
    {
        var month = new CitizenMonth<Bought>();
        Assert.True(month.MustCheck(PurchaseOutcome.SoldOut, citizenUsed: null, "k"));
        // The database counted the usage: its answer stands as it is.
        Assert.False(month.MustCheck(PurchaseOutcome.LimitExceeded, citizenUsed: Limit, "k"));

        month.LearnHistory(Unit, new Dictionary<string, Bought> { ["k"] = new(1, Channel.Mobile, Unit) });
        Assert.False(month.MustCheck(PurchaseOutcome.SoldOut, null, "other"));
        Assert.Equal(1, month.FindBought("k")!.Sequence);
        Assert.Equal(Unit, month.UsedAtLeast);
    }

    [Fact]
    public void A_key_in_doubt_is_checked_even_with_the_history_known()
    {
        var month = new CitizenMonth<Bought>();
        month.LearnHistory(0, new Dictionary<string, Bought>());
        month.MarkInDoubt("k");
        Assert.True(month.MustCheck(PurchaseOutcome.SoldOut, null, "k"));
        month.Learn("k", citizenUsed: Unit, confirmed: new Bought(1, Channel.Mobile, Unit));
        Assert.False(month.MustCheck(PurchaseOutcome.SoldOut, null, "k"));
        Assert.NotNull(month.FindBought("k"));
    }

    [Fact]
    public void Never_bought_is_learned_only_from_a_sale_that_knows_it_and_a_usage_of_zero()
    {
        var month = new CitizenMonth<Bought>();
        Assert.False(month.TryLearnNeverBought(citizenHasBought: null, "k"));
        Assert.True(month.TryLearnNeverBought(citizenHasBought: false, "k"));
        Assert.NotNull(month.Bought);

        var used = new CitizenMonth<Bought>();
        used.Learn("k", Unit, confirmed: null);
        Assert.False(used.TryLearnNeverBought(citizenHasBought: false, "k"));
    }

    [Fact]
    public void A_retry_is_the_same_purchase_only_with_the_same_channel_and_amount()
    {
        var first = new Bought(1, Channel.Mobile, Unit);
        Assert.True(CitizenMonth<Bought>.IsRetryOf(Claim("c1"), first));
        Assert.False(CitizenMonth<Bought>.IsRetryOf(Claim("c1", 2 * Unit), first));
        Assert.False(CitizenMonth<Bought>.IsRetryOf(Claim("c1") with { Channel = Channel.Paper }, first));
    }

    [Fact]
    public void A_failure_forgets_what_was_known_and_a_cancel_replaces_the_purchase()
    {
        var month = new CitizenMonth<Bought>();
        month.LearnHistory(Unit, new Dictionary<string, Bought> { ["a"] = new(1, Channel.Mobile, Unit), ["b"] = new(1, Channel.Mobile, Unit) });
        month.LearnCancel(0, new Bought(1, Channel.Paper, Unit));
        Assert.All(month.Bought!.Values, b => Assert.Equal(Channel.Paper, b.Channel));
        Assert.Equal(0, month.UsedAtLeast);

        month.Forget();
        Assert.Null(month.Bought);
        Assert.True(month.MustCheck(PurchaseOutcome.Closed, null, "a"));
    }

    [Fact]
    public void A_history_too_long_to_hold_is_read_again_when_needed()
    {
        var month = new CitizenMonth<Bought>();
        var many = Enumerable.Range(0, CitizenMonth<Bought>.HistoryMax + 1)
            .ToDictionary(i => $"k{i}", i => new Bought(i + 1, Channel.Mobile, Unit));
        month.LearnHistory(Unit, many);
        Assert.Null(month.Bought);
    }
}
