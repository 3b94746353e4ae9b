using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>
/// The program-month grain's refusal without a citizen grain (what the gateway asks while a channel is sold
/// out): given only when it is what the citizen grain would answer, and it changes nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class RefusalTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task A_newcomer_to_a_sold_out_channel_is_refused_and_nothing_changes()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Scenario.Unit));
        Assert.Equal(PurchaseOutcome.Confirmed, (await ledger.BuyAsync(sale, Scenario.NewCitizen(), Scenario.Unit)).Outcome);
        var before = await ledger.SnapshotAsync(sale);

        var refused = await ledger.City(sale).RefuseAsync(Scenario.Request(sale, Scenario.NewCitizen(), Scenario.Unit));

        Assert.Equal(PurchaseResult.SoldOut(0) with { CitizenHasBought = false }, refused);
        Assert.Equal(before, await ledger.SnapshotAsync(sale));
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task A_citizen_who_bought_is_left_to_their_citizen_grain_whatever_the_key()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Scenario.Unit));
        var citizen = Scenario.NewCitizen();
        var bought = Scenario.Request(sale, citizen, Scenario.Unit);
        Assert.Equal(PurchaseOutcome.Confirmed, (await ledger.BuyAsync(bought)).Outcome);

        Assert.Null(await ledger.City(sale).RefuseAsync(bought));
        Assert.Null(await ledger.City(sale).RefuseAsync(Scenario.Request(sale, citizen, Scenario.Unit)));
        var replay = await ledger.BuyAsync(bought);
        Assert.Equal(PurchaseOutcome.Confirmed, replay.Outcome);
    }

    [Fact]
    public async Task A_purchase_that_would_be_accepted_is_not_refused_and_nothing_is_reserved()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Scenario.Unit));
        var request = Scenario.Request(sale, Scenario.NewCitizen(), Scenario.Unit);

        Assert.Null(await ledger.City(sale).RefuseAsync(request));

        var state = await ledger.SnapshotAsync(sale);
        Assert.Equal(Scenario.Unit, state.Mobile.Remaining);
        Assert.Equal(0, state.Entries);
        Assert.Equal(PurchaseOutcome.Confirmed, (await ledger.BuyAsync(request)).Outcome);
    }

    [Fact]
    public async Task A_cancel_reopens_the_channel_to_newcomers()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Scenario.Unit));
        var buyer = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, buyer, Scenario.Unit)).Purchase!;
        var newcomer = Scenario.Request(sale, Scenario.NewCitizen(), Scenario.Unit);
        Assert.Equal(PurchaseOutcome.SoldOut, (await ledger.City(sale).RefuseAsync(newcomer))?.Outcome);

        var cancelled = await ledger.Grains.GetGrain<ICitizenGrain>(buyer).CancelAsync(sale, bought.Sequence);

        Assert.Equal(CancelOutcome.Cancelled, cancelled.Outcome);
        // The refused key keeps its answer (RememberedRejectionTests); a new attempt uses a new key.
        var again = newcomer with { IdempotencyKey = Scenario.NewKey() };
        Assert.Null(await ledger.City(sale).RefuseAsync(again));
        Assert.Equal(PurchaseOutcome.Confirmed, (await ledger.BuyAsync(again)).Outcome);
    }

    [Fact]
    public async Task Before_the_opening_a_newcomer_is_told_when_it_opens()
    {
        var opens = ledger.Clock.GetUtcNow().AddHours(1);
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger) with { OpensAt = opens });

        var refused = await ledger.City(sale).RefuseAsync(Scenario.Request(sale, Scenario.NewCitizen(), Scenario.Unit));

        Assert.Equal(PurchaseOutcome.NotOpen, refused?.Outcome);
        Assert.Equal(await ledger.BuyAsync(sale, Scenario.NewCitizen(), Scenario.Unit), refused);
    }
}
