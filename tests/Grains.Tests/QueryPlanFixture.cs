using System.Text.Json;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Npgsql;

namespace Ledger.Grains.Tests;

/// <summary>
/// The morning of a sale for <see cref="QueryPlanTests"/>: an older program-month, ANALYZE, then a newer one
/// the statistics know nothing of. Autovacuum is off for the ledger's table meanwhile, so that an automatic
/// ANALYZE cannot learn of the newer one and take away what the tests are about.
/// </summary>
public sealed class QueryPlanFixture : IAsyncLifetime
{
    public const int Citizens = 3_000;
    public const long Unit = 10_000;
    public static readonly CommitLimits Limits = new(200_000, new ChannelAmounts(long.MaxValue / 4, long.MaxValue / 4));

    private const int BatchMax = 1_000;

    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(TestDatabase.ConnectionString);

    public QueryPlanFixture() => Store = new LedgerStore(dataSource);

    public LedgerStore Store { get; }

    public ProgramMonth Newer { get; } = NewProgramMonth();

    public string[] NewerCitizens { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await TestDatabase.EnsureSchemaAsync();
        await ExecuteAsync("ALTER TABLE ledger_entries SET (autovacuum_enabled = false)");
        await FillAsync(NewProgramMonth());
        await ExecuteAsync("ANALYZE ledger_entries");
        NewerCitizens = await FillAsync(Newer);
    }

    public async Task DisposeAsync()
    {
        await ExecuteAsync("ALTER TABLE ledger_entries RESET (autovacuum_enabled)");
        await dataSource.DisposeAsync();
    }

    /// <summary>
    /// The shared buffers the statement's execution touched (hit or read), from EXPLAIN (ANALYZE, BUFFERS) in a
    /// transaction that is rolled back, so that nothing it writes stays.
    /// </summary>
    public async Task<long> ExecutionPagesAsync(string sql, params object[] values)
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

    /// <summary>The teller who sold <paramref name="citizen"/>'s first purchase, if one did (every other citizen).</summary>
    public static string TellerOf(string citizen) => "t" + citizen;

    /// <summary>
    /// Commits a purchase for each of <see cref="Citizens"/> new citizens, every other one sold by a teller
    /// (<see cref="TellerOf"/>), then cancels every tenth.
    /// </summary>
    private async Task<string[]> FillAsync(ProgramMonth programMonth)
    {
        var citizens = Enumerable.Range(0, Citizens).Select(_ => Scenario.NewCitizen()).ToArray();
        var head = (await Store.ClaimAsync(programMonth, create: true))!;
        foreach (var batch in citizens.Chunk(BatchMax))
        {
            await Store.CommitAsync(programMonth, head, Limits, [],
                batch.Select((c, i) => i % 2 == 0
                    ? new CommitPurchase(c, "first", Channel.Mobile, Unit, Unit * 9 / 10)
                    : new CommitPurchase(c, TellerOf(c) + " first", Channel.Mobile, Unit, Unit * 9 / 10, TellerOf(c))).ToArray(),
                DateTimeOffset.UtcNow);
            head = (await Store.ReadHeadAsync(programMonth))!;
        }

        PendingFollowUp[] cancels =
        [
            .. Enumerable.Range(0, Citizens / 10)
                .Select(i => new PendingFollowUp(FollowUp.Cancel, i * 10 + 1, citizens[i * 10], Channel.Mobile, Unit)),
        ];
        await Store.CommitAsync(programMonth, head, Limits, cancels, [], DateTimeOffset.UtcNow);
        return citizens;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static ProgramMonth NewProgramMonth() =>
        new($"plan-{Guid.NewGuid():N}"[..24], ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
}
