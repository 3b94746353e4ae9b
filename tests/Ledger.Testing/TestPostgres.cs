using Npgsql;

namespace Ledger.Testing;

/// <summary>
/// The real PostgreSQL the tests run against: the one <c>./ledger test</c> names in <c>LEDGER_TEST_CONNECTION</c>, or, under
/// plain <c>dotnet test</c>, the one <c>./ledger up</c> runs, found through its <see cref="PostgresRunFile"/>.
/// </summary>
public static class TestPostgres
{
    /// <summary>The database the tests take on a server found through its run file, as <c>./ledger test</c> names its own.</summary>
    public const string TestDatabaseName = "ledger_test";

    private static readonly Lazy<string> Own = new(CreateOwnSchema);

    private static readonly Lazy<string> Discovered = new(Discover);

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
        Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION") is { Length: > 0 } configured ? configured : Discovered.Value;

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

    /// <summary>
    /// The test database on the server of the clone's run file: <see cref="TestDatabaseName"/> if it exists (every
    /// <c>./ledger test</c> leaves one) or the role may create it, else the run file's own database. Each test process
    /// still works in a schema of its own there.
    /// </summary>
    private static string Discover()
    {
        var root = RepositoryRoot.OfTests ?? throw new InvalidOperationException(
            $"LEDGER_TEST_CONNECTION is not set, and the tests do not run inside a clone (no {RepositoryRoot.Marker} above " +
            $"{AppContext.BaseDirectory}) where .ledger/run/postgres.json could name a PostgreSQL.");
        var server = PostgresRunFile.Read(root);
        using var connection = new NpgsqlConnection(server.ConnectionString(server.Database));
        connection.Open();
        using var query = new NpgsqlCommand(
            "SELECT EXISTS (SELECT FROM pg_database WHERE datname = @name), " +
            "(SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user)",
            connection);
        query.Parameters.AddWithValue("name", TestDatabaseName);
        bool exists, mayCreate;
        using (var reader = query.ExecuteReader())
        {
            reader.Read();
            (exists, mayCreate) = (reader.GetBoolean(0), reader.GetBoolean(1));
        }

        if (!exists && mayCreate)
        {
            try
            {
                using var create = new NpgsqlCommand($"CREATE DATABASE {TestDatabaseName}", connection);
                create.ExecuteNonQuery();
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // Another test project, started beside this one, created it first.
            }
        }

        return server.ConnectionString(exists || mayCreate ? TestDatabaseName : server.Database);
    }
}
