using Ledger.Grains.Storage;
using Ledger.Testing;
using Npgsql;

namespace Ledger.Grains.Tests;

/// <summary>The real PostgreSQL the tests run against, prepared by <c>./ledger test</c>.</summary>
public static class TestDatabase
{
    private static readonly Lazy<Task> Schema = new(() => LedgerSchema.ApplyAsync(ConnectionString));

    public static string ConnectionString =>
        TestPostgres.ConnectionString;

    public static Task EnsureSchemaAsync() => Schema.Value;

    /// <summary>
    /// A new, empty PostgreSQL schema in the test database, as a connection string that searches it alone:
    /// to whatever is applied through it, an empty database.
    /// </summary>
    public static async Task<string> CreateEmptySchemaAsync()
    {
        var name = $"empty_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = name }.ConnectionString;
    }
}
