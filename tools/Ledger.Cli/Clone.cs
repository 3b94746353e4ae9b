namespace Ledger.Cli;

/// <summary>The clone as the commands see it: its settings, its state and the processes it runs.</summary>
public sealed class Clone
{
    public Clone(LedgerSettings settings)
    {
        Settings = settings;
        Paths = LedgerPaths.Find(settings);
        Hosts = new Hosts(settings, Paths);
        Silos = new Silos(settings, Paths, Hosts);
        Gateway = HttpService.Gateway(settings, Paths);
        Payments = HttpService.Payments(settings, Paths);
        Silos.AdoptLegacy();
    }

    public LedgerSettings Settings { get; }

    public LedgerPaths Paths { get; }

    public Hosts Hosts { get; }

    public Silos Silos { get; }

    public HttpService Gateway { get; }

    public HttpService Payments { get; }

    /// <summary>The installed PostgreSQL, or null.</summary>
    public Postgres? OpenPostgres() => Postgres.Open(Settings, Paths);

    /// <summary>The running PostgreSQL, or a <see cref="UserError"/> saying how to start it.</summary>
    public Postgres RunningPostgres(string start = "./ledger up")
    {
        var pg = OpenPostgres() ?? throw new UserError($"PostgreSQL is not installed; run {start}");
        return pg.IsRunning ? pg : throw new UserError($"PostgreSQL is not running; start it with {start}");
    }

    /// <summary>Checks the database's port unless this clone's PostgreSQL already listens on it.</summary>
    public IEnumerable<(int Port, string Setting)> PostgresPortIfNotOurs()
    {
        if (Ports.IsFree(Settings.PgPort))
        {
            return [];
        }

        return OpenPostgres() is { IsRunning: true } pg && pg.RunningPort == Settings.PgPort ? [] : [(Settings.PgPort, "LEDGER_PG_PORT")];
    }

    /// <summary>PostgreSQL installed if missing, started if stopped, with the ledger role and database.</summary>
    public Postgres StartPostgres()
    {
        var pg = Postgres.Install(Settings, Paths);
        pg.Start();
        pg.EnsureRoleAndDatabase();
        return pg;
    }
}
