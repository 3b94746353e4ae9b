using Ledger.Grains.Storage;

namespace Ledger.Grains.Tests;

/// <summary>The real PostgreSQL the tests run against, prepared by <c>./ledger test</c>.</summary>
public static class TestDatabase
{
    private static readonly Lazy<Task> Schema = new(() => LedgerSchema.ApplyAsync(ConnectionString));

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
        ?? throw new InvalidOperationException(
            "LEDGER_TEST_CONNECTION is not set: run the tests with ./ledger test, which starts PostgreSQL and sets it.");

    public static Task EnsureSchemaAsync() => Schema.Value;
}
