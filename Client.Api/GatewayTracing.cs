using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace Ledger.Client.Api;

/// <summary>
/// Traces, and the export of traces and metrics to an OTLP collector, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set (with the other standard <c>OTEL_*</c> settings). A request's span and its grain calls carry the
/// trace into the silos (activity propagation, <see cref="LedgerClient"/>), so a purchase is one trace from
/// the gateway to PostgreSQL. Without a collector nothing is traced, and the purchase path pays nothing.
/// </summary>
public static class GatewayTracing
{
    public const string ServiceName = "ledger-gateway";

    public static IServiceCollection AddGatewayTracing(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsOperations(context.Request.Path))
                .AddSource(ActivitySources.ApplicationGrainActivitySourceName))
            .UseOtlpExporter();
        return services;
    }

    // Scrapes, probes and the dashboard's polling every second would drown the purchases.
    private static bool IsOperations(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health") || path.StartsWithSegments("/dashboard");
}
