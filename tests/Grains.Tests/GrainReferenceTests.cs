using Ledger.Grains.Interfaces;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>The quick references of <see cref="LedgerGrains"/> reach the same grains as Orleans' own.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class GrainReferenceTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public void A_quick_reference_equals_the_one_Orleans_resolves()
    {
        var grains = ledger.Grains;
        var sale = new ProgramMonth("chuncheon", "2022-12");

        AssertSame(grains.GetGrain<ICitizenGrain>("alice"), grains.GetCitizen("alice"));
        AssertSame(grains.GetGrain<ICityMonthGrain>(sale.Key), grains.GetCityMonth(sale));
    }

    [Fact]
    public async Task A_purchase_through_quick_references_is_the_one_seen_through_Orleans_own()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        var grains = ledger.Grains;

        var bought = await grains.GetCitizen(citizen).PurchaseAsync(Scenario.Request(sale, citizen, 10_000));

        Assert.True(bought.IsConfirmed);
        Assert.Equal(bought.Purchase, await grains.GetGrain<ICityMonthGrain>(sale.Key).GetPurchaseAsync(bought.Purchase!.Sequence));
        Assert.Equal(10_000, (await grains.GetCityMonth(sale).GetSnapshotAsync())!.Mobile.Sold);
    }

    private static void AssertSame(IAddressable expected, IAddressable actual)
    {
        Assert.Equal(expected.GetGrainId(), actual.GetGrainId());
        Assert.Equal(((GrainReference)expected).InterfaceType, ((GrainReference)actual).InterfaceType);
    }
}
