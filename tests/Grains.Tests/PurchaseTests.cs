using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class PurchaseTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task Purchase_within_the_rules_is_confirmed_at_the_discounted_price()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();

        var result = await ledger.BuyAsync(sale, citizen, 200_000);

        Assert.Equal(PurchaseOutcome.Confirmed, result.Outcome);
        var purchase = result.Purchase!;
        Assert.Equal(180_000, purchase.Price);
        Assert.Equal(200_000, purchase.Amount);
        Assert.Equal(citizen, purchase.CitizenId);
        Assert.Equal(PurchaseStatus.Confirmed, purchase.Status);
        Assert.Equal(1, purchase.Sequence);
        Assert.Equal(PurchaseIds.Format(sale, 1), purchase.PurchaseId);
        Assert.Equal(ledger.Clock.GetUtcNow(), purchase.PurchasedAt);
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal(new ChannelState(1_000_000, 200_000, 800_000, SaleStatus.Open), snapshot.Mobile);
        Assert.Equal(purchase, await ledger.City(sale).GetPurchaseAsync(1));
    }

    [Fact]
    public async Task Price_is_rounded_down_to_the_won()
    {
        var policy = new Policy(ledger.Clock.GetUtcNow().AddMinutes(-1), 3_333, 1_000, 10, new ChannelAmounts(1_000, 0));
        var sale = await ledger.OpenSaleAsync(policy);

        var result = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 70);

        // 70 x (1 - 0.3333) = 46.669, rounded down.
        Assert.Equal(46, result.Purchase!.Price);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-10_000)]
    [InlineData(15_000)]
    [InlineData(1)]
    [InlineData(long.MinValue)]
    public async Task Amount_that_is_not_a_positive_multiple_of_the_unit_is_rejected(long amount)
    {
        var sale = await ledger.OpenSaleAsync();

        var result = await ledger.BuyAsync(sale, Scenario.NewCitizen(), amount);

        Assert.Equal(PurchaseOutcome.InvalidAmount, result.Outcome);
        Assert.Equal(0, (await ledger.SnapshotAsync(sale)).Entries);
    }

    [Fact]
    public async Task Purchase_before_the_opening_is_rejected_with_the_opening_instant()
    {
        var opensAt = ledger.Clock.GetUtcNow().AddMinutes(30);
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger) with { OpensAt = opensAt });

        var result = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000);

        Assert.Equal(PurchaseOutcome.NotOpen, result.Outcome);
        Assert.Equal(opensAt, result.OpensAt);
        Assert.Equal(SaleStatus.Scheduled, (await ledger.SnapshotAsync(sale)).Status);
    }

    [Fact]
    public async Task Sale_never_opens_before_its_month_starts_in_Korea()
    {
        var now = ledger.Clock.GetUtcNow();
        var nextMonth = new ProgramMonth(Scenario.NewProgramMonth(ledger).ProgramId, ProgramMonth.MonthOf(now.AddMonths(1)));
        var policy = Scenario.OpenPolicy(ledger) with { OpensAt = now.AddDays(-1) };
        Assert.Equal(SetPolicyOutcome.Saved, (await ledger.City(nextMonth).SetPolicyAsync(policy)).Outcome);

        var result = await ledger.BuyAsync(nextMonth, Scenario.NewCitizen(), 10_000);

        Assert.Equal(PurchaseOutcome.NotOpen, result.Outcome);
        Assert.Equal(nextMonth.Start, result.OpensAt);
        Assert.Equal(TimeSpan.FromHours(9), nextMonth.Start.Offset);
        Assert.Equal(0, nextMonth.Start.Hour);
    }

    [Fact]
    public async Task Purchase_after_the_month_has_ended_is_rejected_as_closed()
    {
        var now = ledger.Clock.GetUtcNow();
        var lastMonth = new ProgramMonth(Scenario.NewProgramMonth(ledger).ProgramId, ProgramMonth.MonthOf(now.AddMonths(-1)));
        var policy = Scenario.OpenPolicy(ledger) with { OpensAt = lastMonth.Start };
        Assert.Equal(SetPolicyOutcome.Saved, (await ledger.City(lastMonth).SetPolicyAsync(policy)).Outcome);

        var result = await ledger.BuyAsync(lastMonth, Scenario.NewCitizen(), 10_000);

        Assert.Equal(PurchaseOutcome.Closed, result.Outcome);
        Assert.Equal(SaleStatus.Closed, (await ledger.SnapshotAsync(lastMonth)).Status);
    }

    [Fact]
    public async Task Monthly_limit_counts_both_channels()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        Assert.True((await ledger.BuyAsync(sale, citizen, 150_000, Channel.Mobile)).IsConfirmed);

        var over = await ledger.BuyAsync(sale, citizen, 60_000, Channel.Paper);
        var within = await ledger.BuyAsync(sale, citizen, 50_000, Channel.Paper);
        var full = await ledger.BuyAsync(sale, citizen, 10_000, Channel.Mobile);

        Assert.Equal(PurchaseOutcome.LimitExceeded, over.Outcome);
        Assert.Equal(50_000, over.Remaining);
        Assert.True(within.IsConfirmed);
        Assert.Equal(PurchaseOutcome.LimitExceeded, full.Outcome);
        Assert.Equal(0, full.Remaining);
        var month = await ledger.Grains.GetGrain<ICitizenGrain>(citizen).GetMonthAsync(sale);
        Assert.Equal(new[] { 200_000L, 0L, 200_000L }, new[] { month!.Used, month.Remaining, month.Limit });
        Assert.Equal(2, month.Purchases.Count);
    }

    [Fact]
    public async Task Limit_is_enforced_by_the_database_even_when_the_citizen_grain_has_forgotten_its_usage()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        Assert.True((await ledger.BuyAsync(sale, citizen, 200_000)).IsConfirmed);
        await ledger.Cluster.DeactivateAsync(ledger.Grains.GetGrain<ICitizenGrain>(citizen));

        var again = await ledger.BuyAsync(sale, citizen, 10_000);

        Assert.Equal(PurchaseOutcome.LimitExceeded, again.Outcome);
        Assert.Equal(0, again.Remaining);
        Assert.Equal(200_000, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
    }

    [Fact]
    public async Task Purchase_over_the_remaining_cap_is_sold_out_with_what_remains()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: 250_000, paperCap: 0));
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 200_000)).IsConfirmed);

        var result = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 100_000);
        var paper = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000, Channel.Paper);
        var rest = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 50_000);

        Assert.Equal(PurchaseOutcome.SoldOut, result.Outcome);
        Assert.Equal(50_000, result.Remaining);
        Assert.Equal(PurchaseOutcome.SoldOut, paper.Outcome);
        Assert.Equal(0, paper.Remaining);
        Assert.True(rest.IsConfirmed);
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal(SaleStatus.SoldOut, snapshot.Status);
        Assert.Equal(new ChannelState(250_000, 250_000, 0, SaleStatus.SoldOut), snapshot.Mobile);
    }

    [Fact]
    public async Task Limit_exceeded_comes_before_sold_out_and_closed_before_both()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: 200_000));
        var citizen = Scenario.NewCitizen();
        Assert.True((await ledger.BuyAsync(sale, citizen, 200_000)).IsConfirmed);

        var both = await ledger.BuyAsync(sale, citizen, 10_000);

        Assert.Equal(PurchaseOutcome.LimitExceeded, both.Outcome);
        var now = ledger.Clock.GetUtcNow();
        var lastMonth = new ProgramMonth(sale.ProgramId + "-old", ProgramMonth.MonthOf(now.AddMonths(-1)));
        await ledger.City(lastMonth).SetPolicyAsync(Scenario.OpenPolicy(ledger, mobileCap: 0) with { OpensAt = lastMonth.Start });
        Assert.Equal(PurchaseOutcome.Closed, (await ledger.BuyAsync(lastMonth, citizen, 300_000)).Outcome);
    }

    [Fact]
    public async Task Unknown_program_month_has_no_snapshot_and_sells_nothing()
    {
        var unknown = Scenario.NewProgramMonth(ledger);

        Assert.Null(await ledger.City(unknown).GetSnapshotAsync());
        Assert.Null(await ledger.City(unknown).AuditAsync());
        Assert.Equal(PurchaseOutcome.NotFound, (await ledger.BuyAsync(unknown, Scenario.NewCitizen(), 10_000)).Outcome);
        Assert.Null(await ledger.Store.ReadHeadAsync(unknown));
    }
}
