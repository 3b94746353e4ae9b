using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class CancellationTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task Cancel_returns_the_amount_to_the_cap_and_to_the_citizens_limit()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: 200_000));
        var citizen = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, citizen, 200_000)).Purchase!;
        Assert.Equal(PurchaseOutcome.SoldOut, (await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000)).Outcome);

        var cancelled = await Citizen(citizen).CancelAsync(sale, bought.Sequence);

        Assert.Equal(CancelOutcome.Cancelled, cancelled.Outcome);
        Assert.Equal(bought with { Status = PurchaseStatus.Cancelled }, cancelled.Purchase);
        Assert.Equal(0, cancelled.CitizenUsed);
        Assert.Equal(new ChannelState(200_000, 0, 200_000, SaleStatus.Open), (await ledger.SnapshotAsync(sale)).Mobile);
        Assert.True((await ledger.BuyAsync(sale, citizen, 200_000)).IsConfirmed);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task Cancel_again_gives_the_same_answer_and_refunds_once()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, citizen, 100_000)).Purchase!;
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 50_000)).IsConfirmed);

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Citizen(citizen).CancelAsync(sale, bought.Sequence)));
        var later = await Citizen(citizen).CancelAsync(sale, bought.Sequence);

        Assert.All(answers.Append(later), a => Assert.Equal(CancelOutcome.Cancelled, a.Outcome));
        Assert.All(answers.Append(later), a => Assert.Equal(bought with { Status = PurchaseStatus.Cancelled }, a.Purchase));
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal(50_000, snapshot.Mobile.Sold);
        Assert.Equal(3, snapshot.Entries);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task Cancel_after_seven_days_is_refused_and_changes_nothing()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, citizen, 100_000)).Purchase!;
        var justInTime = (await ledger.BuyAsync(sale, citizen, 50_000)).Purchase!;

        ledger.Clock.Advance(TimeSpan.FromDays(7));
        var onTheLastInstant = await Citizen(citizen).CancelAsync(sale, justInTime.Sequence);
        ledger.Clock.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond));
        var tooLate = await Citizen(citizen).CancelAsync(sale, bought.Sequence);

        Assert.Equal(CancelOutcome.Cancelled, onTheLastInstant.Outcome);
        Assert.Equal(CancelOutcome.WindowPassed, tooLate.Outcome);
        Assert.Equal(100_000, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task A_citizen_cannot_cancel_another_citizens_purchase()
    {
        var sale = await ledger.OpenSaleAsync();
        var bought = (await ledger.BuyAsync(sale, Scenario.NewCitizen(), 100_000)).Purchase!;

        var stranger = await Citizen(Scenario.NewCitizen()).CancelAsync(sale, bought.Sequence);
        var unknown = await Citizen(bought.CitizenId).CancelAsync(sale, 999);

        Assert.Equal(CancelOutcome.NotFound, stranger.Outcome);
        Assert.Equal(CancelOutcome.NotFound, unknown.Outcome);
        Assert.Equal(100_000, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
    }

    [Fact]
    public async Task Retry_of_a_cancelled_purchase_shows_it_cancelled_and_buys_nothing()
    {
        var sale = await ledger.OpenSaleAsync();
        var request = Scenario.Request(sale, Scenario.NewCitizen(), 100_000);
        var bought = (await ledger.BuyAsync(request)).Purchase!;
        await Citizen(request.CitizenId).CancelAsync(sale, bought.Sequence);
        await ledger.Cluster.DeactivateAsync(Citizen(request.CitizenId));

        var retry = await ledger.BuyAsync(request);

        Assert.Equal(bought with { Status = PurchaseStatus.Cancelled }, retry.Purchase);
        Assert.Equal(0, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
    }

    private ICitizenGrain Citizen(string citizen) => ledger.Grains.GetGrain<ICitizenGrain>(citizen);
}
