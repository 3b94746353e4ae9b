using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Ledger.Grains.Tests;

/// <summary>
/// Orleans' grain directory is eventually consistent, so for a moment two activations of one
/// program-month may exist. These tests play the newer one and check the older cannot write.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class StaleActivationTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task A_commit_of_an_older_epoch_writes_nothing()
    {
        var sale = await ledger.OpenSaleAsync();
        await ledger.Cluster.DeactivateAsync(ledger.City(sale));
        var older = (await ledger.Store.ClaimAsync(sale, create: false))!;
        var newer = (await ledger.Store.ClaimAsync(sale, create: false))!;
        var limits = new CommitLimits(Scenario.Limit, new ChannelAmounts(1_000_000, 0));
        var purchase = new CommitPurchase(Scenario.NewCitizen(), "k", Channel.Mobile, 10_000, 9_000);

        await Assert.ThrowsAsync<LedgerFencedException>(
            () => ledger.Store.CommitAsync(sale, older, limits, [], [purchase], ledger.Clock.GetUtcNow()));
        var committed = await ledger.Store.CommitAsync(sale, newer, limits, [], [purchase], ledger.Clock.GetUtcNow());
        await Assert.ThrowsAsync<LedgerFencedException>(
            () => ledger.Store.CommitAsync(sale, newer, limits, [], [purchase with { IdempotencyKey = "k2" }], ledger.Clock.GetUtcNow()));

        Assert.Equal(CommitOutcome.Confirmed, committed.Purchases.Single().Outcome);
        Assert.Equal(new LedgerHead(newer.Epoch, 2, new ChannelAmounts(10_000, 0)), await ledger.Store.ReadHeadAsync(sale));
    }

    [Fact]
    public async Task An_activation_that_lost_its_epoch_cannot_sell_and_the_next_one_carries_on()
    {
        var sale = await ledger.OpenSaleAsync();
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000)).IsConfirmed);
        var head = await ledger.Store.ReadHeadAsync(sale);

        // A newer activation elsewhere claims the program-month while this one is still running.
        await ledger.Store.ClaimAsync(sale, create: false);
        var stale = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 20_000);
        var afterwards = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 30_000);

        Assert.Equal(PurchaseOutcome.Busy, stale.Outcome);
        Assert.True(afterwards.IsConfirmed);
        Assert.Equal(2, afterwards.Purchase!.Sequence);
        var now = await ledger.Store.ReadHeadAsync(sale);
        Assert.Equal(head!.Epoch + 2, now!.Epoch);
        Assert.Equal(40_000, now.Sold.Mobile);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task An_activation_whose_state_was_taken_over_cannot_change_the_policy()
    {
        var policy = Scenario.OpenPolicy(ledger);
        var sale = await ledger.OpenSaleAsync(policy);
        var city = ledger.City(sale);

        // A newer activation takes the state over: it re-reads and re-writes it, changing the ETag.
        var storage = ledger.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(LedgerStorage.Name);
        var state = new GrainState<CityMonthState>();
        await storage.ReadStateAsync("city-month", city.GetGrainId(), state);
        await storage.WriteStateAsync("city-month", city.GetGrainId(), state);

        var stale = await city.SetPolicyAsync(policy with { CitizenMonthlyLimit = 400_000 });
        var retried = await city.SetPolicyAsync(policy with { CitizenMonthlyLimit = 300_000 });

        Assert.Equal(SetPolicyOutcome.Busy, stale.Outcome);
        Assert.Equal(SetPolicyOutcome.Saved, retried.Outcome);
        Assert.Equal(300_000, (await ledger.SnapshotAsync(sale)).Policy.CitizenMonthlyLimit);
    }
}
