namespace Ledger.Cli.Commands;

/// <summary><c>psql [psql arguments]</c>: psql on the ledger database, as the ledger role.</summary>
public static class PsqlCommand
{
    public static int Run(Clone clone, IReadOnlyList<string> args)
    {
        var pg = clone.RunningPostgres();
        return Posix.RunAttached(pg.Tool("psql"), ["-h", "127.0.0.1", "-p", $"{pg.RunningPort}", "-U", "ledger", "-d", "ledger", .. args],
            environment: new Dictionary<string, string> { ["PGPASSWORD"] = clone.Settings.PgPassword });
    }
}
