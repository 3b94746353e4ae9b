namespace Ledger.Cli.Commands;

/// <summary>
/// <c>test [--fast] [--filter EXPR] [dotnet test arguments]</c>: PostgreSQL, a fresh ledger_test database, Chromium, and
/// <c>dotnet test Ledger.sln</c>. --fast leaves out the categories of <see cref="FastExcluded"/>, joined with the
/// caller's own --filter (a test runs only if it passes both).
/// </summary>
public static class TestCommand
{
    /// <summary>The categories (tests/Ledger.Testing/TestCategories.cs) that start processes, kill or cut things, drive a browser or bench.</summary>
    public static readonly IReadOnlyList<string> FastExcluded = ["Failover", "Browser", "Bench", "Process", "Slow"];

    public static int Run(Clone clone, bool fast, string? filter, IReadOnlyList<string> rest)
    {
        Ports.EnsureFree(clone.PostgresPortIfNotOurs());
        var pg = clone.StartPostgres();
        try
        {
            var chromium = Chromium.Find(clone.Settings, clone.Paths);
            if (Posix.Which("node") is null || Posix.Which("npm") is null)
            {
                Out.Warn("node and npm not found: the OpenAPI tests (tests/OpenApi.Tests) will fail; install Node.js 20 or later");
            }

            pg.AdminSql("""
                SET client_min_messages = warning;
                DROP DATABASE IF EXISTS ledger_test WITH (FORCE);
                CREATE DATABASE ledger_test OWNER ledger;
                """);
            var environment = new Dictionary<string, string> { ["LEDGER_TEST_CONNECTION"] = pg.ConnectionString("ledger_test") };
            if (chromium is not null)
            {
                environment["LEDGER_CHROMIUM"] = chromium;
            }

            Out.Say("database ledger_test recreated; running tests");
            var args = Arguments(fast, filter, rest);
            if (clone.Settings.TestCommand is { } standIn)
            {
                Out.Warn("LEDGER_TEST_CMD is set: running a stand-in instead of dotnet test (testing only)");
                return Posix.RunAttached("bash", ["-c", standIn, "ledger-test", .. args], clone.Paths.Root, environment);
            }

            return Posix.RunAttached("dotnet", ["test", "Ledger.sln", .. args], clone.Paths.Root, environment);
        }
        finally
        {
            // Quietly, so that the output still ends with dotnet test's summary.
            if (pg.StartedHere)
            {
                pg.Stop();
            }
        }
    }

    public static IReadOnlyList<string> Arguments(bool fast, string? filter, IReadOnlyList<string> rest)
    {
        if (fast)
        {
            var excluded = string.Join('&', FastExcluded.Select(category => $"Category!={category}"));
            filter = filter is null ? excluded : $"({filter})&{excluded}";
        }

        return filter is null ? rest : [.. rest, "--filter", filter];
    }
}
