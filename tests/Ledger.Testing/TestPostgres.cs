namespace Ledger.Testing;

/// <summary>The real PostgreSQL the tests run against, which <c>./ledger test</c> starts and names.</summary>
public static class TestPostgres
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
        ?? throw new InvalidOperationException(
            "LEDGER_TEST_CONNECTION is not set: run the tests with ./ledger test, which starts PostgreSQL and sets it.");
}
