using Ledger.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// The gateway's health checks, answered at the shared endpoints (<see cref="ServiceDefaultsExtensions.MapDefaultEndpoints"/>).
/// <c>/health/live</c>: the process is up and no failure that lasts has struck it. <c>/health/ready</c>: it can answer a
/// purchase: it reaches the cluster and the database, and a purchase sent through its own pipeline gets the ledger's answer.
/// </summary>
public static class GatewayHealthChecks
{
    private static readonly TimeSpan CheckTimeoutMax = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddLedgerHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<CachedFailureHandler>("process", tags: [HealthTags.Live, HealthTags.Ready])
            .AddCheck<ClusterHealthCheck>("cluster", tags: [HealthTags.Ready])
            .AddCheck<PurchasePathProbe>("purchase-path", tags: [HealthTags.Ready]);
        if (configuration.GetConnectionString("Ledger") is { } connectionString)
        {
            checks.AddAsyncCheck("database", async cancellationToken =>
            {
                try
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync(cancellationToken);
                    await using var command = new NpgsqlCommand("SELECT 1", connection);
                    await command.ExecuteScalarAsync(cancellationToken);
                    return HealthCheckResult.Healthy();
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    return HealthCheckResult.Unhealthy("The database is not reachable.", e);
                }
            }, tags: [HealthTags.Ready]);
        }

        return services;
    }

    /// <summary>Healthy when at least one silo is active in the cluster the client is joined to.</summary>
    private sealed class ClusterHealthCheck(IClusterClient client, IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // Before the host has started, the client may not have joined yet (and asking it throws).
            if (!lifetime.ApplicationStarted.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("The gateway is still starting.");
            }

            try
            {
                var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)
                    .WaitAsync(CheckTimeoutMax, cancellationToken);
                return hosts.Count > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("No active silo.");
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("The cluster is not reachable.", e);
            }
        }
    }
}
