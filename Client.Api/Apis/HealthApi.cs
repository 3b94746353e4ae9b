using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ledger.Client.Api.Hosting;
using Npgsql;

namespace Ledger.Client.Api.Apis;

/// <summary>
/// <c>/health/live</c>: the process is up and no failure that lasts has struck it. <c>/health/ready</c>: it can
/// answer a purchase: it reaches the cluster and the database, and a purchase sent through its own pipeline gets
/// the ledger's answer.
/// </summary>
public static class HealthApi
{
    private const string ReadyTag = "ready";
    private const string LiveTag = "live";
    private static readonly TimeSpan CheckTimeoutMax = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddLedgerHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<CachedFailureHandler>("process", tags: [LiveTag, ReadyTag])
            .AddCheck<ClusterHealthCheck>("cluster", tags: [ReadyTag])
            .AddCheck<PurchasePathProbe>("purchase-path", tags: [ReadyTag]);
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
            }, tags: [ReadyTag]);
        }

        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        // Outside the overload limit: an overloaded gateway is still alive, and says whether it is ready.
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = (context, report) => WriteAsync(context, report, "live"),
        }).DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = (context, report) => WriteAsync(context, report, "ready"),
        }).DisableRateLimiting();
        return app;
    }

    /// <summary>Healthy: 200 with the word as plain text. Not: 503 problem details with Retry-After, naming what fails.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report, string word)
    {
        if (report.Status == HealthStatus.Healthy)
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(word);
        }

        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key} ({e.Value.Description})");
        return LedgerResults.Unavailable($"Not ready: {string.Join("; ", failing)}.").ExecuteAsync(context);
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
