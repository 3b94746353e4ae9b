using Ledger.Grains;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace Ledger.Silo;

/// <summary>
/// The silo's OpenTelemetry. Metrics (the ledger's own, <see cref="LedgerMetrics"/>; Orleans'; Npgsql's) are
/// served in Prometheus' text format at <c>http://{MetricsHost}:{MetricsPort}/metrics</c> when
/// <c>Ledger:Silo:MetricsPort</c> is set: off by default, since each silo on a machine needs a port of its
/// own. Traces (grain calls, batch commits and their PostgreSQL commands) and metrics go to an OTLP collector
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, with the other standard <c>OTEL_*</c> settings.
/// </summary>
public static class SiloTelemetry
{
    public const string ServiceName = "ledger-silo";

    /// <summary>Where the metrics listener binds unless <c>Ledger:Silo:MetricsHost</c> says otherwise ("+" is every address).</summary>
    public const string MetricsHostDefault = "localhost";

    public static IHostApplicationBuilder AddSiloTelemetry(this IHostApplicationBuilder builder)
    {
        var silo = builder.Configuration.GetSection("Ledger:Silo");
        var metricsPort = silo.GetValue("MetricsPort", 0);
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (metricsPort <= 0 && !otlp)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(LedgerMetrics.Name, "Microsoft.Orleans").AddNpgsqlInstrumentation()
                    .AddView(LedgerMetrics.PurchasesInstrument, new MetricStreamConfiguration { CardinalityLimit = LedgerMetrics.PurchaseSeriesMax });
                if (metricsPort > 0)
                {
                    metrics.AddPrometheusHttpListener(listener =>
                        (listener.Host, listener.Port) = (silo["MetricsHost"] ?? MetricsHostDefault, metricsPort));
                }
            });
        if (otlp)
        {
            // Spans are kept only for work a traced caller started (a gateway request, say): without a
            // parent, Orleans' own chatter (membership, timers) and its PostgreSQL queries would be traces
            // of their own every few seconds.
            telemetry.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new AlwaysOffSampler()))
                .AddSource(
                    LedgerMetrics.Name, ActivitySources.ApplicationGrainActivitySourceName,
                    ActivitySources.RuntimeActivitySourceName, ActivitySources.StorageActivitySourceName)
                .AddNpgsql())
                .UseOtlpExporter();
        }

        return builder;
    }
}
