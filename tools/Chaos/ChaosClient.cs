using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Ledger.Chaos;

/// <summary>An Orleans client that finds the silos through the membership table in PostgreSQL, as the gateway does.</summary>
public static class ChaosClient
{
    /// <summary>An attempt to a silo that just died fails within this, and the client retries.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often the list of silo gateways is re-read, so a restarted silo is used again soon.</summary>
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(2);

    /// <summary>
    /// For the verdict's calls once the run is over (the audit, the reconciliation): a big sale's reconciliation asks
    /// the provider about every paid purchase, which takes longer than a buyer's attempt may.
    /// </summary>
    public static readonly TimeSpan VerdictResponseTimeout = TimeSpan.FromMinutes(2);

    /// <param name="responseTimeout">How long a call may take before it fails: <see cref="ResponseTimeout"/> unless given.</param>
    public static async Task<IHost> StartAsync(string connectionString, string clusterId, string serviceId, TimeSpan? responseTimeout = null)
    {
        var builder = Host.CreateApplicationBuilder();
        // Calls timing out while a silo is down, and the gateway list unreadable while the database is, are
        // the point of the run: the clients count them and the report says how long; Orleans need not log them.
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Critical);
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId))
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout ?? ResponseTimeout)
            .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod)
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString)));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
