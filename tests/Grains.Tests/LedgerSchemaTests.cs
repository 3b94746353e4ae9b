using System.Security.Cryptography;
using System.Text;
using Ledger.Grains.Storage;
using Ledger.Testing;
using Npgsql;

namespace Ledger.Grains.Tests;

/// <summary>The schema as an append-only history, each test on an empty database of its own.</summary>
[Trait("Category", TestCategories.Database)]
public sealed class LedgerSchemaTests
{
    // A history of the test's own: each file records that it ran in schema_runs.
    private static readonly SchemaFile First = SchemaFile.Of(
        "db/0001_first.sql", "CREATE TABLE schema_runs (file integer NOT NULL); INSERT INTO schema_runs VALUES (1);");
    private static readonly SchemaFile Second = SchemaFile.Of("db/0002_second.sql", "INSERT INTO schema_runs VALUES (2);");
    private static readonly SchemaFile Third = SchemaFile.Of("db/0003_third.sql", "INSERT INTO schema_runs VALUES (3);");

    [Fact]
    public void The_files_of_db_are_numbered_from_one_without_gaps()
    {
        Assert.Equal(
            [(1, "db/0001_orleans_clustering.sql"), (2, "db/0002_orleans_persistence.sql"), (3, "db/0003_ledger.sql"), (4, "db/0004_waiting_room.sql"),
             (5, "db/0005_payments.sql"), (6, "db/0006_payments_probes.sql"),
             (7, "db/0007_payments_without_payment.sql"), (8, "db/0008_rejections_remembered.sql"),
             (9, "db/0009_commit_many.sql"), (10, "db/0010_commit_batches.sql"),
             (11, "db/0011_commit_batches_by_key.sql")],
            LedgerSchema.Files.Select(f => (f.Version, f.Name)));
        Assert.Equal(SchemaFile.Of(Second.Name, "SELECT 1;\nSELECT 2;").Checksum, SchemaFile.Of(Second.Name, "SELECT 1;\r\nSELECT 2;").Checksum);
        Assert.NotEqual(SchemaFile.Of(Second.Name, "SELECT 1;").Checksum, SchemaFile.Of(Second.Name, "SELECT 1; ").Checksum);
        Assert.Throws<SchemaRefusedException>(() => SchemaFile.Of("db/5_fifth.sql", "SELECT 1;"));
    }

    [Fact]
    public async Task An_empty_database_gets_every_file_once_with_its_version_and_checksum()
    {
        var database = await TestDatabase.CreateEmptySchemaAsync();

        await LedgerSchema.ApplyAsync(database);

        Assert.Equal(
            LedgerSchema.Files.Select(f => (f.Version, f.Name, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(f.Sql))))),
            (await HistoryAsync(database)).Select(h => (h.Version, h.Name, h.Checksum)));
        // The baseline holds no compatibility shims (no usage counter table). ledger_commit has the baseline's form, kept
        // for silos of the release before payments (db/README.md: expand), and the form with holds.
        Assert.Equal(new[] { 15, 18 }, await ScalarAsync<short[]>(
            database,
            "SELECT array_agg(pronargs ORDER BY pronargs) FROM pg_proc WHERE proname = 'ledger_commit' AND pronamespace = current_schema()::regnamespace")
            is { } arguments ? arguments.Select(a => (int)a) : null);
        Assert.Null(await ScalarAsync<object>(database, "SELECT to_regclass('citizen_months')::text"));
    }

    [Fact]
    public async Task Applying_again_runs_no_file()
    {
        // 0001 upserts the Orleans query texts: run again, it would put this one back.
        var database = await TestDatabase.CreateEmptySchemaAsync();
        await LedgerSchema.ApplyAsync(database);
        await ScalarAsync<object>(database, "UPDATE OrleansQuery SET QueryText = 'edited' WHERE QueryKey = 'GatewaysQueryKey'");
        var history = await HistoryAsync(database);

        await LedgerSchema.ApplyAsync(database);
        await LedgerSchema.ApplyAsync(database);

        Assert.Equal("edited", await ScalarAsync<string>(database, "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'GatewaysQueryKey'"));
        Assert.Equal(history, await HistoryAsync(database));
    }

    [Fact]
    public async Task New_files_are_applied_after_the_applied_ones_and_only_they()
    {
        var database = await TestDatabase.CreateEmptySchemaAsync();
        await LedgerSchema.ApplyAsync(database, [First]);

        await LedgerSchema.ApplyAsync(database, [First, Second, Third]);

        Assert.Equal(new[] { 1, 2, 3 }, await RunsAsync(database));
        Assert.Equal(new[] { 1, 2, 3 }, (await HistoryAsync(database)).Select(h => h.Version));
    }

    [Fact]
    public async Task An_applied_file_whose_text_changed_is_refused_by_name_and_nothing_is_applied()
    {
        var database = await TestDatabase.CreateEmptySchemaAsync();
        await LedgerSchema.ApplyAsync(database, [First, Second]);
        var edited = Second with { Sql = "INSERT INTO schema_runs VALUES (22);" };

        var refused = await Assert.ThrowsAsync<SchemaRefusedException>(
            () => LedgerSchema.ApplyAsync(database, [First, edited, Third]));

        Assert.StartsWith("The schema file db/0002_second.sql differs from the db/0002_second.sql applied", refused.Message);
        Assert.Contains("never edited", refused.Message);
        Assert.Contains("new file, db/0004_name.sql", refused.Message);
        Assert.Equal(new[] { 1, 2 }, await RunsAsync(database));
    }

    [Fact]
    public async Task A_database_newer_than_the_code_is_refused()
    {
        var database = await TestDatabase.CreateEmptySchemaAsync();
        await LedgerSchema.ApplyAsync(database, [First, Second, Third]);

        var refused = await Assert.ThrowsAsync<SchemaRefusedException>(() => LedgerSchema.ApplyAsync(database, [First, Second]));

        Assert.Equal(
            "The database is at schema version 3 (db/0003_third.sql), and this silo knows up to version 2 " +
            "(db/0002_second.sql): run a silo of the newer release, or roll the database back to version 2.",
            refused.Message);
        Assert.Equal(new[] { 1, 2, 3 }, await RunsAsync(database));
    }

    [Fact]
    public async Task Appliers_starting_together_all_succeed_and_apply_each_file_once()
    {
        // The first file is slow, so the appliers overlap: without the lock each would run it.
        var database = await TestDatabase.CreateEmptySchemaAsync();
        var slow = First with { Sql = First.Sql + " SELECT pg_sleep(0.3);" };

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => LedgerSchema.ApplyAsync(database, [slow, Second]))));

        Assert.Equal(new[] { 1, 2 }, await RunsAsync(database));
        Assert.Equal(new[] { 1, 2 }, (await HistoryAsync(database)).Select(h => h.Version));
    }

    [Fact]
    public async Task A_failing_file_is_refused_by_name_and_the_files_before_it_stay_applied()
    {
        var database = await TestDatabase.CreateEmptySchemaAsync();
        var failing = Second with { Sql = Second.Sql + " SELECT 1 / 0;" };

        var refused = await Assert.ThrowsAsync<SchemaRefusedException>(() => LedgerSchema.ApplyAsync(database, [First, failing, Third]));
        var afterFailure = await RunsAsync(database);
        // A file that never applied is not history yet: it may still be corrected.
        await LedgerSchema.ApplyAsync(database, [First, Second, Third]);

        Assert.StartsWith("The schema file db/0002_second.sql failed", refused.Message);
        Assert.Equal([1], afterFailure);
        Assert.Equal(new[] { 1, 2, 3 }, await RunsAsync(database));
    }

    [Fact]
    public async Task A_database_set_up_before_the_history_is_refused()
    {
        var database = await TestDatabase.CreateEmptySchemaAsync();
        await ScalarAsync<object>(database, "CREATE TABLE ledger_schema_files (name text PRIMARY KEY, sha256 text NOT NULL)");

        var refused = await Assert.ThrowsAsync<SchemaRefusedException>(() => LedgerSchema.ApplyAsync(database));

        Assert.Contains("start from an empty database", refused.Message);
        Assert.Null(await ScalarAsync<object>(database, "SELECT to_regclass('ledger_entries')::text"));
    }

    private static async Task<List<(int Version, string Name, string Checksum, DateTime AppliedAt)>> HistoryAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT version, name, sha256, applied_at FROM ledger_schema_history ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var history = new List<(int, string, string, DateTime)>();
        while (await reader.ReadAsync())
        {
            history.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3)));
        }

        return history;
    }

    private static async Task<int[]> RunsAsync(string database) =>
        await ScalarAsync<int[]>(database, "SELECT array_agg(file ORDER BY file) FROM schema_runs") ?? [];

    private static async Task<T?> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? default : (T?)value;
    }
}
