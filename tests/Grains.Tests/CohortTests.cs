using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>Opening by cohort (API.md): each citizen opens at the earliest of their cohorts, or at the policy's opensAt.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class CohortTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task Each_citizen_opens_at_the_earliest_of_their_cohorts_and_others_at_the_policys_opening()
    {
        var now = ledger.Clock.GetUtcNow();
        var policy = Scenario.OpenPolicy(ledger) with
        {
            OpensAt = now.AddHours(2),
            Cohorts = [new Cohort(BirthYears.Even, now.AddMinutes(-1)), new Cohort(BirthYears.Between(null, 1961), now.AddHours(1))],
        };
        var sale = await ledger.OpenSaleAsync(policy);

        var even = await BuyAsync(sale, 1990);
        var evenAndOld = await BuyAsync(sale, 1960);
        var oddAndOld = await BuyAsync(sale, 1961);
        var oddAndYoung = await BuyAsync(sale, 1991);
        var unknown = await BuyAsync(sale, null);
        var snapshot = await ledger.SnapshotAsync(sale);

        Assert.True(even.IsConfirmed);
        Assert.True(evenAndOld.IsConfirmed);
        Assert.Equal((PurchaseOutcome.NotOpen, now.AddHours(1)), (oddAndOld.Outcome, oddAndOld.OpensAt!.Value));
        Assert.Equal((PurchaseOutcome.NotOpen, now.AddHours(2)), (oddAndYoung.Outcome, oddAndYoung.OpensAt!.Value));
        Assert.Equal((PurchaseOutcome.NotOpen, now.AddHours(2)), (unknown.Outcome, unknown.OpensAt!.Value));
        // Open for someone, and the cohorts are kept with the policy.
        Assert.Equal(SaleStatus.Open, snapshot.Status);
        Assert.Equal(policy, snapshot.Policy);

        ledger.Clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await BuyAsync(sale, 1961)).IsConfirmed);
        Assert.Equal(PurchaseOutcome.NotOpen, (await BuyAsync(sale, 1991)).Outcome);
    }

    [Fact]
    public async Task A_cohort_opening_after_the_month_or_a_range_from_after_to_is_refused_by_field()
    {
        var programMonth = Scenario.NewProgramMonth(ledger);
        var policy = Scenario.OpenPolicy(ledger) with
        {
            Cohorts = [new Cohort(BirthYears.Odd, programMonth.End), new Cohort(BirthYears.Between(1970, 1960), programMonth.Start)],
        };

        var result = await ledger.City(programMonth).SetPolicyAsync(policy);

        Assert.Equal(SetPolicyOutcome.Invalid, result.Outcome);
        Assert.Equal(["cohorts[0].opensAt", "cohorts[1].birthYears"], result.Errors!.Select(e => e.Field));
    }

    private Task<PurchaseResult> BuyAsync(ProgramMonth sale, int? birthYear) =>
        ledger.BuyAsync(Scenario.Request(sale, Scenario.NewCitizen(), Scenario.Unit) with { BirthYear = birthYear });
}
