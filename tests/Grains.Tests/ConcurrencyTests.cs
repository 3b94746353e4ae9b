using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class ConcurrencyTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task Ten_thousand_concurrent_purchases_by_five_thousand_citizens_sell_exactly_the_cap()
    {
        const int Citizens = 5_000;
        const long Amount = 10_000;
        const long Cap = 1_000 * Amount;
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Cap, paperCap: 0, limit: Amount));
        var requests = Enumerable.Range(0, Citizens)
            .Select(_ => Scenario.NewCitizen())
            .SelectMany(citizen => new[] { Scenario.Request(sale, citizen, Amount), Scenario.Request(sale, citizen, Amount) })
            .ToArray();

        var answers = await Task.WhenAll(requests.Select(ledger.BuyAsync));

        var confirmed = answers.Where(a => a.IsConfirmed).Select(a => a.Purchase!).ToArray();
        Assert.Equal(1_000, confirmed.Length);
        Assert.Equal(confirmed.Length, confirmed.Select(p => p.CitizenId).Distinct().Count());
        Assert.All(
            answers.Where(a => !a.IsConfirmed),
            a => Assert.Contains(a.Outcome, new[] { PurchaseOutcome.SoldOut, PurchaseOutcome.LimitExceeded }));
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal(new ChannelState(Cap, Cap, 0, SaleStatus.SoldOut), snapshot.Mobile);
        var entries = await ledger.City(sale).GetEntriesAsync(after: 0, limit: 1_000);
        Assert.Equal(
            confirmed.Select(p => p.PurchaseId).Order(),
            entries.Entries.Select(e => e.PurchaseId).Order());
        var audit = await ledger.City(sale).AuditAsync();
        Assert.Equal(new AuditReport(true, new ChannelAudit(Cap, Cap, Cap), new ChannelAudit(0, 0, 0), 0, 1_000, true), audit);
    }
}
