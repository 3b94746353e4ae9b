using System.Text.Json;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Npgsql;

namespace Ledger.Grains.Tests;

/// <summary>
/// The morning a month's sale opens, PostgreSQL's statistics know last month's program-months and not this
/// one: it has no rows when ANALYZE last ran, and fills within minutes. These tests set that up (an older
/// program-month, ANALYZE, then a newer one) and count the pages the newer one's lookups read. A lookup
/// that uses its own index reads a handful; one that scans the program-month through another index's
/// prefix reads thousands, which is how purchases slowed as a sale went on.
/// </summary>
public sealed class QueryPlanTests : IAsyncLifetime
{
    private const int Citizens = 3_000;
    private const int BatchMax = 1_000;
    private const long Unit = 10_000;
    private static readonly CommitLimits Limits = new(200_000, new ChannelAmounts(long.MaxValue / 4, long.MaxValue / 4));

    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(TestDatabase.ConnectionString);
    private readonly LedgerStore store;
    private readonly ProgramMonth newer = NewProgramMonth();
    private string[] newerCitizens = [];

    public QueryPlanTests() => store = new LedgerStore(dataSource);

    public async Task InitializeAsync()
    {
        await TestDatabase.EnsureSchemaAsync();
        await FillAsync(NewProgramMonth());
        await using (var analyze = dataSource.CreateCommand("ANALYZE ledger_entries"))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        newerCitizens = await FillAsync(newer);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    [Fact]
    public async Task A_citizens_history_in_a_new_program_month_reads_a_few_pages()
    {
        var pages = await ExecutionPagesAsync(LedgerStore.CitizenHistorySql, newer.ProgramId, newer.Month, newerCitizens[^1]);

        Assert.InRange(pages, 1, 40);
    }

    [Fact]
    public async Task A_purchase_of_a_new_program_month_read_by_sequence_reads_a_few_pages()
    {
        var pages = await ExecutionPagesAsync(LedgerStore.PurchaseSql, newer.ProgramId, newer.Month, (long)Citizens - 1);

        Assert.InRange(pages, 1, 40);
    }

    [Fact]
    public async Task A_commit_in_a_new_program_month_reads_a_few_pages_per_item()
    {
        // Second purchases of citizens who bought (and some cancelled): every per-item probe finds entries.
        var head = (await store.ReadHeadAsync(newer))!;
        var items = newerCitizens.Take(100).ToArray();
        var sql = "SELECT * FROM ledger_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
        object[] values =
        [
            newer.ProgramId, newer.Month, head.Epoch, head.NextSequence, Limits.CitizenMonthlyLimit,
            Limits.Caps.Mobile, Limits.Caps.Paper, DateTimeOffset.UtcNow, Array.Empty<long>(),
            items, items.Select(_ => "second").ToArray(), items.Select(_ => "mobile").ToArray(),
            items.Select(_ => Unit).ToArray(), items.Select(_ => Unit * 9 / 10).ToArray(),
        ];

        // The first call in a session also reads the catalog while plpgsql plans its statements.
        await ExecutionPagesAsync(sql, values);
        var pages = await ExecutionPagesAsync(sql, values);

        Assert.InRange(pages, items.Length, items.Length * 40);
    }

    /// <summary>
    /// The shared buffers the statement's execution touched (hit or read), from EXPLAIN (ANALYZE, BUFFERS) in a
    /// transaction that is rolled back, so that nothing it writes stays.
    /// </summary>
    private async Task<long> ExecutionPagesAsync(string sql, params object[] values)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!);
        await transaction.RollbackAsync();
        var root = plan.RootElement[0].GetProperty("Plan");
        return root.GetProperty("Shared Hit Blocks").GetInt64() + root.GetProperty("Shared Read Blocks").GetInt64();
    }

    /// <summary>Commits a purchase for each of <see cref="Citizens"/> new citizens, then cancels every tenth.</summary>
    private async Task<string[]> FillAsync(ProgramMonth programMonth)
    {
        var citizens = Enumerable.Range(0, Citizens).Select(_ => Scenario.NewCitizen()).ToArray();
        var head = (await store.ClaimAsync(programMonth, create: true))!;
        foreach (var batch in citizens.Chunk(BatchMax))
        {
            await store.CommitAsync(programMonth, head, Limits, [],
                batch.Select(c => new CommitPurchase(c, "first", Channel.Mobile, Unit, Unit * 9 / 10)).ToArray(),
                DateTimeOffset.UtcNow);
            head = (await store.ReadHeadAsync(programMonth))!;
        }

        long[] cancels = [.. Enumerable.Range(0, Citizens / 10).Select(i => (long)(i * 10 + 1))];
        await store.CommitAsync(programMonth, head, Limits, cancels, [], DateTimeOffset.UtcNow);
        return citizens;
    }

    private static ProgramMonth NewProgramMonth() =>
        new($"plan-{Guid.NewGuid():N}"[..24], ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
}
