using System.Diagnostics.Metrics;
using System.Net;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using OpenTelemetry.Metrics;

namespace Ledger.Client.Api;

/// <summary>
/// Metrics in Prometheus text format at <c>/metrics</c>, for callers on loopback: ASP.NET Core's and
/// Orleans' own meters, and the gateway's purchases by outcome.
/// </summary>
public static class GatewayMetrics
{
    public const string MeterName = "Ledger.Gateway";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Purchases =
        Meter.CreateCounter<long>("ledger.gateway.purchases", description: "Purchase requests answered, by outcome.");

    public static void Count(PurchaseOutcome outcome) =>
        Purchases.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString()));

    public static IServiceCollection AddGatewayMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddMeter(MeterName, "Microsoft.Orleans")
            .AddPrometheusExporter());
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AddEndpointFilter(async (context, next) =>
            IsLoopback(context.HttpContext.Connection.RemoteIpAddress)
                ? await next(context)
                : LedgerResults.NotFound("Metrics are served on loopback only."))
            .DisableRateLimiting();
        return app;
    }

    // The in-process test server has no remote address; it is as local as loopback.
    private static bool IsLoopback(IPAddress? address) => address is null || IPAddress.IsLoopback(address);
}
