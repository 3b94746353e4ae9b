using Npgsql;

namespace Ledger.Testing;

/// <summary>The real PostgreSQL the tests run against, which <c>./ledger test</c> starts and names.</summary>
public static class TestPostgres
{
    private static readonly Lazy<string> Own = new(CreateOwnSchema);

    /// <summary>
    /// This test process's own ledger: the test database, searching a schema made for this process alone. The silos,
    /// sandboxes and tools the process starts are handed this connection string, so they share its ledger.
    /// </summary>
    /// <remarks>
    /// <c>dotnet test</c> runs the test projects side by side, and a ledger belongs to one cluster (the product's
    /// deployments have one per database): every silo's payment sweeper wakes each program-month with an open hold in
    /// its database, and the activation that wakes claims it. Sharing one ledger, another project's cluster took over
    /// the program-months of this one's payment tests while their holds were open, and fenced them mid-test.
    /// </remarks>
    public static string ConnectionString => Own.Value;

    private static string SharedDatabase =>
        Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
        ?? throw new InvalidOperationException(
            "LEDGER_TEST_CONNECTION is not set: run the tests with ./ledger test, which starts PostgreSQL and sets it.");

    private static string CreateOwnSchema()
    {
        var schema = $"tests_{Environment.ProcessId}_{Guid.NewGuid():N}"[..32];
        using (var connection = new NpgsqlConnection(SharedDatabase))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(SharedDatabase) { SearchPath = schema }.ConnectionString;
    }
}
