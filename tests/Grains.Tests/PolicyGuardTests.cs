using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>The guard against operator error, and the policy's history (API.md, "Guard against operator error").</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class PolicyGuardTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task A_policy_with_every_cap_zero_needs_confirming_even_as_the_first()
    {
        var programMonth = Scenario.NewProgramMonth(ledger);
        var city = ledger.City(programMonth);
        var empty = Scenario.OpenPolicy(ledger, mobileCap: 0, paperCap: 0);

        var refused = await city.SetPolicyAsync(new PolicyChange(empty, "operator-1", Confirmed: false));
        var nothingSet = await city.GetSnapshotAsync();
        var confirmed = await city.SetPolicyAsync(new PolicyChange(empty, "operator-1", Confirmed: true));

        Assert.Equal(SetPolicyOutcome.ConfirmRequired, refused.Outcome);
        Assert.Contains("Every cap is 0", refused.Reason, StringComparison.Ordinal);
        Assert.Null(nothingSet);
        Assert.Equal(SetPolicyOutcome.Saved, confirmed.Outcome);
    }

    [Fact]
    public async Task A_cap_below_what_is_sold_is_refused_as_such_before_the_guard_asks_for_confirming()
    {
        var policy = Scenario.OpenPolicy(ledger, mobileCap: 1_000_000);
        var sale = await ledger.OpenSaleAsync(policy);
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 200_000)).IsConfirmed);

        var cut = await ledger.City(sale).SetPolicyAsync(
            new PolicyChange(policy with { Caps = policy.Caps with { Mobile = 100_000 } }, "operator-1", Confirmed: false));

        Assert.Equal((SetPolicyOutcome.CapBelowSold, 200_000L), (cut.Outcome, cut.Sold!.Value));
    }

    [Theory]
    [InlineData(-1, 490_000, true)] // open, cut by more than half (by one unit)
    [InlineData(-1, 500_000, false)] // open, cut by exactly half
    [InlineData(-1, 2_000_000, false)] // open, raised
    [InlineData(59, 100_000, true)] // opens within the hour
    [InlineData(61, 100_000, false)] // opens in more than an hour
    public async Task Cutting_a_cap_by_more_than_half_near_or_during_the_sale_needs_confirming(
        int opensInMinutes, long newMobileCap, bool needsConfirming)
    {
        var now = ledger.Clock.GetUtcNow();
        var policy = Scenario.OpenPolicy(ledger, mobileCap: 1_000_000) with { OpensAt = now.AddMinutes(opensInMinutes) };
        var sale = await ledger.OpenSaleAsync(policy);
        var cut = policy with { Caps = policy.Caps with { Mobile = newMobileCap } };

        var unconfirmed = await ledger.City(sale).SetPolicyAsync(new PolicyChange(cut, "operator-1", Confirmed: false));

        Assert.Equal(needsConfirming ? SetPolicyOutcome.ConfirmRequired : SetPolicyOutcome.Saved, unconfirmed.Outcome);
        Assert.Equal(needsConfirming ? policy : cut, (await ledger.SnapshotAsync(sale)).Policy);
        if (needsConfirming)
        {
            var confirmed = await ledger.City(sale).SetPolicyAsync(new PolicyChange(cut, "operator-1", Confirmed: true));
            Assert.Equal(SetPolicyOutcome.Saved, confirmed.Outcome);
        }
    }

    [Fact]
    public async Task Every_saved_version_is_kept_with_who_set_it_and_when_through_a_new_activation()
    {
        var programMonth = Scenario.NewProgramMonth(ledger);
        var city = ledger.City(programMonth);
        var first = Scenario.OpenPolicy(ledger);
        var second = first with { DiscountBps = 500 };
        var firstAt = ledger.Clock.GetUtcNow();
        await city.SetPolicyAsync(new PolicyChange(first, "operator-1", Confirmed: false));
        ledger.Clock.Advance(TimeSpan.FromSeconds(1));
        await city.SetPolicyAsync(new PolicyChange(first with { Caps = new ChannelAmounts(0, 0) }, "operator-2", Confirmed: false));
        await city.SetPolicyAsync(new PolicyChange(second, "operator-2", Confirmed: false));

        await ledger.Cluster.DeactivateAsync(city);
        var history = await ledger.City(programMonth).GetPolicyHistoryAsync();

        Assert.Equal(
            [new PolicyVersion(1, first, "operator-1", firstAt), new PolicyVersion(2, second, "operator-2", firstAt.AddSeconds(1))],
            history);
    }
}
