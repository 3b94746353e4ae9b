using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>
/// The morning a month's sale opens, PostgreSQL's statistics know last month's program-months and not this
/// one: it has no rows when ANALYZE last ran, and fills within minutes. These tests set that up (an older
/// program-month, ANALYZE, then a newer one) and count the pages the newer one's lookups read. A lookup
/// that uses its own index reads a handful; one that scans the program-month through another index's
/// prefix reads thousands, which is how purchases slowed as a sale went on.
/// </summary>
[Trait("Category", TestCategories.Database)]
public sealed class QueryPlanTests(QueryPlanFixture fixture) : IClassFixture<QueryPlanFixture>
{
    [Fact]
    public async Task A_citizens_history_in_a_new_program_month_reads_a_few_pages()
    {
        var newer = fixture.Newer;
        var pages = await fixture.ExecutionPagesAsync(LedgerStore.CitizenHistorySql, newer.ProgramId, newer.Month, fixture.NewerCitizens[^1]);

        Assert.InRange(pages, 1, 40);
    }

    [Fact]
    public async Task A_purchase_of_a_new_program_month_read_by_sequence_reads_a_few_pages()
    {
        var newer = fixture.Newer;
        var pages = await fixture.ExecutionPagesAsync(LedgerStore.PurchaseSql, newer.ProgramId, newer.Month, (long)QueryPlanFixture.Citizens - 1);

        Assert.InRange(pages, 1, 40);
    }

    [Fact]
    public async Task A_commit_in_a_new_program_month_reads_a_few_pages_per_item()
    {
        // Second purchases of citizens who bought (and some cancelled): every per-item probe finds entries.
        // Every one is sold by a teller who sold before (its key scoped, as the grain hands it over), which
        // adds the probe for the teller's key.
        var newer = fixture.Newer;
        var head = (await fixture.Store.ReadHeadAsync(newer))!;
        var items = fixture.NewerCitizens.Take(100).ToArray();
        var limits = QueryPlanFixture.Limits;
        object[] values =
        [
            new[] { newer.ProgramId }, new[] { newer.Month }, new[] { head.Epoch }, new[] { head.NextSequence },
            new[] { limits.CitizenMonthlyLimit }, new[] { limits.Caps.Mobile }, new[] { limits.Caps.Paper },
            new[] { DateTimeOffset.UtcNow }, new[] { 0 }, Array.Empty<int>(), Array.Empty<long>(), Array.Empty<string>(),
            Array.Empty<string>(), items.Select(_ => 1).ToArray(), items,
            items.Select(c => QueryPlanFixture.TellerOf(c) + " second").ToArray(), items.Select(_ => "mobile").ToArray(),
            items.Select(_ => QueryPlanFixture.Unit).ToArray(), items.Select(_ => QueryPlanFixture.Unit * 9 / 10).ToArray(),
            items.Select(QueryPlanFixture.TellerOf).ToArray(), items.Select(_ => (int?)null).ToArray(),
        ];

        // The first call in a session also reads the catalog while plpgsql plans its statements.
        await fixture.ExecutionPagesAsync(LedgerStore.CommitSql, values);
        var pages = await fixture.ExecutionPagesAsync(LedgerStore.CommitSql, values);

        Assert.InRange(pages, items.Length, items.Length * 40);
    }
}
