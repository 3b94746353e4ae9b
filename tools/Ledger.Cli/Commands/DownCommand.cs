namespace Ledger.Cli.Commands;

/// <summary><c>down</c>: the gateway, the silos (highest first) and the sandbox, each SIGTERM then SIGKILL; PostgreSQL (data kept).</summary>
public static class DownCommand
{
    public static int Run(Clone clone)
    {
        if (!clone.Gateway.Stop())
        {
            Out.Say("gateway not running");
        }

        var silos = clone.Silos.Indexes();
        if (silos.Count == 0)
        {
            Out.Say("no silo running");
        }

        foreach (var i in silos.Reverse())
        {
            if (!clone.Silos.Stop(i))
            {
                Out.Say($"silo {i} was not running");
            }
        }

        if (!clone.Payments.Stop())
        {
            Out.Say("payment sandbox not running");
        }

        if (clone.OpenPostgres() is not { } pg)
        {
            Out.Say("PostgreSQL not installed");
            return 0;
        }

        Out.Say(pg.Stop() ? $"PostgreSQL stopped (data kept in {pg.Data})" : "PostgreSQL not running");
        return 0;
    }
}
