using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Ledger.Client.Api;

/// <summary>
/// How the gateway joins the cluster as an Orleans client: the silos' gateways are read from the ADO.NET
/// membership table (<c>ConnectionStrings:Ledger</c>), or, when <c>Ledger:Cluster:Gateways</c> lists
/// <c>host:port</c> endpoints, from that list.
/// </summary>
public static class LedgerClient
{
    public static readonly TimeSpan ResponseTimeoutMax = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(5);

    public static void Configure(IClientBuilder client, IConfiguration configuration)
    {
        var cluster = configuration.GetSection("Ledger:Cluster");
        // A call to a silo that just died fails within this, and the gateway list is re-read this often, so
        // clients get their 503 quickly and a replacement silo is found quickly.
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeoutMax);
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
        // A request's trace goes on into the grains (free while nothing traces); the dashboard reads the silos.
        client.AddActivityPropagation();
        client.AddDashboard();
        client.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = cluster["ClusterId"] ?? "ledger";
            options.ServiceId = cluster["ServiceId"] ?? "ledger";
        });
        if (cluster["Gateways"] is { Length: > 0 } gateways)
        {
            client.UseStaticClustering(gateways.Split(',').Select(IPEndPoint.Parse).ToArray());
            return;
        }

        var connectionString = configuration.GetConnectionString("Ledger")
            ?? throw new InvalidOperationException("Set ConnectionStrings:Ledger (ConnectionStrings__Ledger) or Ledger:Cluster:Gateways.");
        client.UseAdoNetClustering(options =>
        {
            options.Invariant = "Npgsql";
            options.ConnectionString = connectionString;
        });
    }
}
