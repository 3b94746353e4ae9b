namespace Ledger.Cli.Commands;

/// <summary>
/// <c>up [--silos N]</c>: PostgreSQL, the schema (applied by the silos), the payment sandbox, the silos and the gateway.
/// Without --silos, as many silos as were up before (at least one). When it fails, it stops what it started.
/// </summary>
public static class UpCommand
{
    public static async Task<int> RunAsync(Clone clone, int? silos)
    {
        var settings = clone.Settings;
        var want = silos is { } n ? LedgerSettings.SiloCount(n, 1) : Math.Max(1, clone.Silos.Indexes().Count);
        CheckPorts(clone, want);
        var pg = Postgres.Install(settings, clone.Paths);
        var paymentsStarted = false;
        var interrupts = Interrupt.Catch();
        try
        {
            pg.Start();
            pg.EnsureRoleAndDatabase();
            var connection = pg.ConnectionString("ledger");
            if (clone.Payments.Pid() is not null)
            {
                Out.Say("payment sandbox was already running");
            }
            else
            {
                await StartPaymentsAsync(clone, connection);
                paymentsStarted = true;
            }

            var before = clone.Silos.Running().Count;
            await clone.Silos.ScaleAsync(want, connection);
            if (before == want)
            {
                Out.Say($"{want} silo(s) were already running");
            }

            if (clone.Gateway.Pid() is not null)
            {
                Out.Say("gateway was already running");
            }
            else
            {
                await StartGatewayAsync(clone, connection);
            }
        }
        catch
        {
            Undo(clone, pg, paymentsStarted);
            throw;
        }
        finally
        {
            Array.ForEach(interrupts, i => i.Dispose());
        }

        PrintWhere(clone, pg);
        return 0;
    }

    /// <summary>Every port up would take, checked before anything starts.</summary>
    private static void CheckPorts(Clone clone, int want)
    {
        var settings = clone.Settings;
        var ports = new List<(int Port, string Setting)>(clone.PostgresPortIfNotOurs());
        if (clone.Payments.Pid() is null)
        {
            ports.Add((settings.PaymentsPort, "LEDGER_PAYMENTS_PORT"));
        }

        if (clone.Gateway.Pid() is null)
        {
            ports.Add((settings.GatewayPort, "LEDGER_GATEWAY_PORT"));
        }

        ports.AddRange(clone.Silos.SlotsToStart(want).SelectMany(settings.SiloPorts));
        Ports.EnsureFree(ports);
    }

    private static async Task StartPaymentsAsync(Clone clone, string connection)
    {
        var dll = clone.Hosts.PaymentsDll;
        if (!File.Exists(dll))
        {
            clone.Hosts.Build();
        }

        await clone.Payments.StartAsync(dll, new() { ["ConnectionStrings__Sandbox"] = connection }, "payment sandbox starting");
    }

    private static async Task StartGatewayAsync(Clone clone, string connection)
    {
        var dll = clone.Hosts.GatewayDll;
        if (!File.Exists(dll))
        {
            clone.Hosts.Build();
        }

        var settings = clone.Settings;
        await clone.Gateway.StartAsync(dll, new()
        {
            ["ConnectionStrings__Ledger"] = connection,
            ["Ledger__Auth__SigningKey"] = Secrets.SigningKey(settings, clone.Paths),
            ["Ledger__Cluster__ClusterId"] = settings.ClusterId,
            ["Ledger__Cluster__ServiceId"] = settings.ServiceId,
            ["Ledger__Dashboard__OperatorPassword"] = Secrets.OperatorPassword(settings, clone.Paths),
        }, "gateway starting");
    }

    // What was running before up stays; what this invocation started is stopped, so no half-started system is left.
    private static void Undo(Clone clone, Postgres pg, bool paymentsStarted)
    {
        if (clone.Silos.Launched.Count > 0 || pg.StartedHere)
        {
            Out.Warn("up failed: stopping what this invocation started");
        }

        foreach (var i in clone.Silos.Launched.Reverse())
        {
            if (clone.Silos.Stop(i))
            {
                Out.Say($"stopped silo {i}");
            }
        }

        if (paymentsStarted && clone.Payments.Stop())
        {
            Out.Say("stopped the payment sandbox");
        }

        if (pg.StartedHere && pg.Stop())
        {
            Out.Say("stopped PostgreSQL");
        }
    }

    private static void PrintWhere(Clone clone, Postgres pg)
    {
        var settings = clone.Settings;
        var gateway = settings.GatewayUrl;
        var password = settings.OperatorPassword is null
            ? $"in {clone.Paths.Relative(Secrets.OperatorPasswordFile(clone.Paths))}"
            : "from Ledger__Dashboard__OperatorPassword";
        Console.WriteLine("ledger: up.");
        Console.WriteLine($"  database : postgresql://ledger@127.0.0.1:{settings.PgPort}/ledger  (password: $LEDGER_PG_PASSWORD, default \"ledger\")");
        Console.WriteLine($"  pg data  : {pg.Data}  (log: {pg.Log}; runs as OS user {pg.OsUser})");
        foreach (var i in clone.Silos.Running())
        {
            Console.WriteLine($"  silo {i,-4}: pid {clone.Silos.Pid(i)}, silo port {settings.SiloPort(i)}, gateway port {settings.SiloGatewayPort(i)}, " +
                $"metrics http://127.0.0.1:{settings.MetricsPort(i)}/metrics  (log: {clone.Silos.Log(i)})");
        }

        Console.WriteLine($"  gateway  : {gateway}  (API reference: {gateway}/scalar/v1; pid {clone.Gateway.Pid()}; log: {clone.Gateway.Log})");
        Console.WriteLine($"  payments : {settings.PaymentsUrl}  (the payment sandbox; pid {clone.Payments.Pid()}; log: {clone.Payments.Log})");
        Console.WriteLine($"  dashboard: {gateway}/dashboard/ (user {settings.OperatorUser}, password {password}; or an admin token)");
        Console.WriteLine("  token    : ./ledger token --sub ID [--role admin|teller] [--birth-year Y]");
        Console.WriteLine("  see also : ./ledger status [--json], ./ledger scale N, ./ledger chaos");
        Console.WriteLine("  stop with: ./ledger down");
    }
}
