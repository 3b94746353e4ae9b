using System.Net;
using Ledger.Grains;
using Ledger.Grains.Storage;
using Ledger.ServiceDefaults;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Ledger.Silo;

/// <summary>
/// The silo host: its settings, the schema, Orleans on PostgreSQL, telemetry, and a graceful stop. Run by the
/// silo's Program; a host that adds grains of its own (the benchmark's, <c>bench/Silo</c>) passes
/// <c>configure</c>, so the silo it runs is this one and the grains it adds stay out of this assembly.
/// </summary>
public static class LedgerSiloHost
{
    /// <returns>The exit code: 2 when the silo refuses the database's schema.</returns>
    public static async Task<int> RunAsync(string[] args, Action<ISiloBuilder>? configure = null)
    {
        // Settings sit beside the binary, wherever the silo is started from.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var connectionString = builder.Configuration.GetConnectionString("Ledger")
            ?? throw new InvalidOperationException(
                "Set the connection string ConnectionStrings:Ledger (ConnectionStrings__Ledger).");
        var silo = builder.Configuration.GetSection("Ledger:Silo");

        // On SIGTERM the host stops Orleans gracefully: the silo marks itself ShuttingDown in the membership
        // table, finishes the requests it is running (a program-month grain answers its queued purchases once
        // their batch commits) and moves its grains to the other silos. This bounds how long that may take;
        // ./ledger waits longer than this (LEDGER_STOP_TIMEOUT) before it resorts to SIGKILL.
        builder.Services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = silo.GetValue("ShutdownTimeout", TimeSpan.FromSeconds(30)));

        // The membership table must exist before the silo joins the cluster, so the schema goes first. A schema
        // this silo must not run against is the operator's to resolve: say what and why, and exit.
        try
        {
            await LedgerSchema.ApplyAsync(connectionString);
        }
        catch (SchemaRefusedException refused)
        {
            Console.Error.WriteLine($"Ledger silo refuses to start: {refused.Message}");
            return 2;
        }

        builder.UseOrleans(orleans =>
        {
            orleans.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = silo["ClusterId"] ?? "ledger";
                options.ServiceId = silo["ServiceId"] ?? "ledger";
            });
            orleans.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = connectionString;
            });
            orleans.ConfigureEndpoints(
                IPAddress.Parse(silo["AdvertisedIp"] ?? "127.0.0.1"),
                silo.GetValue("SiloPort", 11111),
                silo.GetValue("GatewayPort", 30000),
                listenOnAnyHostAddress: silo.GetValue("ListenOnAnyHostAddress", false));
            orleans.AddLedger(connectionString);
            // In Kubernetes (docs/OPERATIONS.md, deploy/k8s/): the pod's name, IP and orleans/* labels replace
            // the settings above, and a silo whose pod is deleted is declared dead at once rather than after
            // missed probes.
            if (silo.GetValue("Kubernetes", false))
            {
                orleans.UseKubernetesHosting();
            }
            // A caller's trace goes on into the grains; the dashboard itself is served by the gateway.
            orleans.AddActivityPropagation();
            orleans.AddDashboard();
            configure?.Invoke(orleans);
        });
        builder.AddServiceDefaults(SiloTelemetry.For(builder.Configuration));

        using var host = builder.Build();
        await host.StartAsync();
        // ./ledger up waits for this line.
        Console.WriteLine("Ledger silo is ready");
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(
            () => Console.WriteLine("Ledger silo is stopping: leaving the cluster and handing its grains over"));
        await host.WaitForShutdownAsync();
        Console.WriteLine("Ledger silo has stopped");
        return 0;
    }
}
