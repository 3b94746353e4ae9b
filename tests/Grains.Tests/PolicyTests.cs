using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class PolicyTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task Policy_is_stored_and_survives_a_new_activation()
    {
        var policy = Scenario.OpenPolicy(ledger);
        var sale = await ledger.OpenSaleAsync(policy);
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 30_000)).IsConfirmed);

        await ledger.Cluster.DeactivateAsync(ledger.City(sale));
        var snapshot = await ledger.SnapshotAsync(sale);

        Assert.Equal(policy, snapshot.Policy);
        Assert.Equal(30_000, snapshot.Mobile.Sold);
        Assert.Equal(1, snapshot.Entries);
    }

    [Fact]
    public async Task Invalid_policy_names_every_bad_field_and_changes_nothing()
    {
        var programMonth = Scenario.NewProgramMonth(ledger);
        var bad = new Policy(programMonth.End, 10_000, 0, 0, new ChannelAmounts(-1, -1));

        var result = await ledger.City(programMonth).SetPolicyAsync(bad);

        Assert.Equal(SetPolicyOutcome.Invalid, result.Outcome);
        Assert.Equal(
            ["opensAt", "discountBps", "unit", "citizenMonthlyLimit", "caps.mobile", "caps.paper"],
            result.Errors!.Select(e => e.Field));
        Assert.Null(await ledger.City(programMonth).GetSnapshotAsync());
    }

    [Fact]
    public async Task Policy_where_a_unit_would_cost_nothing_is_refused()
    {
        var programMonth = Scenario.NewProgramMonth(ledger);
        var free = Scenario.OpenPolicy(ledger) with { Unit = 1, DiscountBps = 3_333 };

        var result = await ledger.City(programMonth).SetPolicyAsync(free);

        Assert.Equal(SetPolicyOutcome.Invalid, result.Outcome);
        Assert.Equal(["unit"], result.Errors!.Select(e => e.Field));
    }

    [Fact]
    public async Task Caps_and_a_limit_between_whole_units_are_refused_and_change_nothing()
    {
        var programMonth = Scenario.NewProgramMonth(ledger);
        var open = Scenario.OpenPolicy(ledger);
        // A remainder below one unit would leave the channel open for good while it refuses every purchase.
        var uneven = open with
        {
            CitizenMonthlyLimit = open.CitizenMonthlyLimit + 1, Caps = new ChannelAmounts(open.Unit * 3 + 5, open.Unit / 2),
        };

        var result = await ledger.City(programMonth).SetPolicyAsync(uneven);

        Assert.Equal(SetPolicyOutcome.Invalid, result.Outcome);
        Assert.Equal(["citizenMonthlyLimit", "caps.mobile", "caps.paper"], result.Errors!.Select(e => e.Field));
        Assert.Null(await ledger.City(programMonth).GetSnapshotAsync());
    }

    [Fact]
    public async Task Cap_may_rise_and_fall_but_never_below_what_is_sold()
    {
        var policy = Scenario.OpenPolicy(ledger, mobileCap: 100_000);
        var sale = await ledger.OpenSaleAsync(policy);
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 80_000)).IsConfirmed);
        var city = ledger.City(sale);

        var below = await city.SetPolicyAsync(policy with { Caps = policy.Caps with { Mobile = 70_000 } });
        var atSold = await city.SetPolicyAsync(policy with { Caps = policy.Caps with { Mobile = 80_000 } });
        var soldOut = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000);
        var raised = await city.SetPolicyAsync(policy with { Caps = policy.Caps with { Mobile = 300_000 } });
        var bought = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 200_000);

        Assert.Equal(SetPolicyOutcome.CapBelowSold, below.Outcome);
        Assert.Equal((Channel.Mobile, 80_000L), (below.Channel!.Value, below.Sold!.Value));
        Assert.Equal(SetPolicyOutcome.Saved, atSold.Outcome);
        Assert.Equal(PurchaseOutcome.SoldOut, soldOut.Outcome);
        Assert.Equal(SetPolicyOutcome.Saved, raised.Outcome);
        Assert.True(bought.IsConfirmed);
        Assert.Equal(new ChannelState(300_000, 280_000, 20_000, SaleStatus.Open), (await ledger.SnapshotAsync(sale)).Mobile);
    }

    [Fact]
    public async Task Limit_cannot_go_below_what_a_citizen_has_bought()
    {
        var policy = Scenario.OpenPolicy(ledger);
        var sale = await ledger.OpenSaleAsync(policy);
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 150_000)).IsConfirmed);

        var below = await ledger.City(sale).SetPolicyAsync(policy with { CitizenMonthlyLimit = 100_000 });
        var atUsed = await ledger.City(sale).SetPolicyAsync(policy with { CitizenMonthlyLimit = 150_000 });

        Assert.Equal(SetPolicyOutcome.LimitBelowUsed, below.Outcome);
        Assert.Equal(150_000, below.Sold);
        Assert.Equal(SetPolicyOutcome.Saved, atUsed.Outcome);
        Assert.Equal(150_000, (await ledger.SnapshotAsync(sale)).Policy.CitizenMonthlyLimit);
    }

    [Fact]
    public async Task A_lowered_limit_applies_to_the_next_purchase()
    {
        var policy = Scenario.OpenPolicy(ledger);
        var sale = await ledger.OpenSaleAsync(policy);
        var citizen = Scenario.NewCitizen();
        Assert.True((await ledger.BuyAsync(sale, citizen, 50_000)).IsConfirmed);

        await ledger.City(sale).SetPolicyAsync(policy with { CitizenMonthlyLimit = 100_000 });
        var over = await ledger.BuyAsync(sale, citizen, 60_000);

        Assert.Equal(PurchaseOutcome.LimitExceeded, over.Outcome);
        Assert.Equal(50_000, over.Remaining);
    }

    [Fact]
    public async Task Policy_changes_while_purchases_stream_in_never_let_sold_pass_the_cap()
    {
        var policy = Scenario.OpenPolicy(ledger, mobileCap: 5_000_000);
        var sale = await ledger.OpenSaleAsync(policy);
        var city = ledger.City(sale);

        var buying = Enumerable.Range(0, 600).Select(_ => ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000)).ToArray();
        var changes = new List<SetPolicyResult>();
        foreach (var cap in new long[] { 4_000_000, 2_000_000, 3_000_000, 1_000_000 })
        {
            changes.Add(await city.SetPolicyAsync(policy with { Caps = policy.Caps with { Mobile = cap } }));
        }

        var answers = await Task.WhenAll(buying);
        var snapshot = await ledger.SnapshotAsync(sale);
        var confirmed = answers.Count(a => a.IsConfirmed) * 10_000L;
        Assert.Equal(confirmed, snapshot.Mobile.Sold);
        Assert.True(snapshot.Mobile.Sold <= snapshot.Policy.Caps.Mobile, $"sold {snapshot.Mobile.Sold} > cap {snapshot.Policy.Caps.Mobile}");
        Assert.All(changes, c => Assert.Contains(c.Outcome, new[] { SetPolicyOutcome.Saved, SetPolicyOutcome.CapBelowSold }));
        await ledger.AssertAuditConsistentAsync(sale);
    }
}
