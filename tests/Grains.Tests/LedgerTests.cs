using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class LedgerTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task Entries_are_numbered_from_one_without_gaps_and_page_in_order()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizens = Enumerable.Range(0, 5).Select(_ => Scenario.NewCitizen()).ToArray();
        var bought = new List<Purchase>();
        foreach (var citizen in citizens)
        {
            bought.Add((await ledger.BuyAsync(sale, citizen, 20_000, Channel.Paper)).Purchase!);
        }

        await ledger.Grains.GetGrain<ICitizenGrain>(citizens[1]).CancelAsync(sale, bought[1].Sequence);
        var city = ledger.City(sale);

        var first = await city.GetEntriesAsync(after: 0, limit: 4);
        var second = await city.GetEntriesAsync(after: first.Next!.Value, limit: 4);

        Assert.Equal([1L, 2, 3, 4], first.Entries.Select(e => e.Sequence));
        Assert.Equal(4, first.Next);
        Assert.Equal([5L, 6], second.Entries.Select(e => e.Sequence));
        Assert.Null(second.Next);
        var cancel = second.Entries[^1];
        Assert.Equal(
            new LedgerEntry(6, LedgerEntryKind.Cancel, bought[1].PurchaseId, citizens[1], Channel.Paper, 20_000, 18_000, cancel.At),
            cancel);
        Assert.Equal(
            new LedgerEntry(1, LedgerEntryKind.Purchase, bought[0].PurchaseId, citizens[0], Channel.Paper, 20_000, 18_000, bought[0].PurchasedAt),
            first.Entries[0]);
    }

    [Fact]
    public async Task Page_size_is_clamped_to_one_thousand_and_at_least_one()
    {
        var sale = await ledger.OpenSaleAsync();
        await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000);
        await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000);

        var zero = await ledger.City(sale).GetEntriesAsync(after: -5, limit: 0);
        var huge = await ledger.City(sale).GetEntriesAsync(after: 0, limit: int.MaxValue);

        Assert.Single(zero.Entries);
        Assert.Equal(2, huge.Entries.Count);
    }

    [Fact]
    public async Task Audit_recomputes_the_counters_from_the_ledger()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, citizen, 100_000)).Purchase!;
        await ledger.BuyAsync(sale, Scenario.NewCitizen(), 30_000, Channel.Paper);
        await ledger.Grains.GetGrain<ICitizenGrain>(citizen).CancelAsync(sale, bought.Sequence);
        await ledger.BuyAsync(sale, citizen, 200_000);

        var audit = await ledger.City(sale).AuditAsync();

        Assert.Equal(
            new AuditReport(
                true, new ChannelAudit(1_000_000, 200_000, 200_000), new ChannelAudit(500_000, 30_000, 30_000), 0, 4, true),
            audit);
    }

    [Fact]
    public async Task Ledger_entries_cannot_be_changed_or_deleted()
    {
        var sale = await ledger.OpenSaleAsync();
        await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000);
        await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();

        foreach (var sql in new[] { "UPDATE ledger_entries SET amount = 1", "DELETE FROM ledger_entries", "TRUNCATE ledger_entries" })
        {
            await using var command = new Npgsql.NpgsqlCommand(sql + (sql.StartsWith("TRUNCATE") ? "" : " WHERE program_id = $1"), connection);
            command.Parameters.Add(new() { Value = sale.ProgramId });
            var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal("LA001", error.SqlState);
        }

        Assert.Equal(10_000, (await ledger.City(sale).GetEntriesAsync(0, 10)).Entries.Single().Amount);
    }
}
