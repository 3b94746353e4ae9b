namespace Ledger.Cli.Commands;

/// <summary>
/// <c>bench [arguments]</c>: the benchmark (bench/) against the ledger database; every argument goes to it, so
/// <c>./ledger bench --help</c> shows the benchmark's own help.
/// </summary>
public static class BenchCommand
{
    public static int Run(Clone clone, IReadOnlyList<string> args)
    {
        Ports.EnsureFree(clone.PostgresPortIfNotOurs());
        var pg = clone.StartPostgres();
        try
        {
            DotnetBuild.Run(clone.Paths, "bench/Bench.csproj");
            return Posix.RunAttached("dotnet", [clone.Hosts.BenchDll, .. args], clone.Paths.Root, Environment(clone, pg));
        }
        finally
        {
            if (pg.StartedHere)
            {
                pg.Stop();
            }
        }
    }

    // http mode mints tokens with the gateway's key and reads the gateway's and silos' memory by pid; the flood scenario
    // reads each silo's metrics too, and PostgreSQL's CPU time. The connection string (with the password) goes in the
    // environment, not on the command line that ps shows.
    private static Dictionary<string, string> Environment(Clone clone, Postgres pg)
    {
        var settings = clone.Settings;
        var running = clone.Silos.Running();
        var watch = string.Join(' ', running.Select(clone.Silos.Pid).Append(clone.Gateway.Pid()).Where(p => p is not null));
        var metrics = string.Concat(running.Select(i => $"http://{settings.MetricsHost}:{settings.MetricsPort(i)}/metrics "));
        return new()
        {
            ["Ledger__Auth__SigningKey"] = Secrets.SigningKey(settings, clone.Paths),
            ["LEDGER_GATEWAY_URL"] = settings.GatewayUrl,
            ["LEDGER_WATCH_PIDS"] = watch,
            ["LEDGER_SILO_METRICS_URLS"] = metrics,
            ["LEDGER_PG_PID"] = $"{pg.Pid}",
            ["ConnectionStrings__Ledger"] = pg.ConnectionString("ledger"),
        };
    }
}
