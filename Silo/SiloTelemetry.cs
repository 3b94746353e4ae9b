using Ledger.Grains;
using Ledger.ServiceDefaults;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace Ledger.Silo;

/// <summary>
/// The silo's part of the shared telemetry (<see cref="ServiceDefaultsExtensions"/>). Metrics (the ledger's own,
/// <see cref="LedgerMetrics"/>; Orleans'; Npgsql's) are served in Prometheus' text format at
/// <c>http://{MetricsHost}:{MetricsPort}/metrics</c> when <c>Ledger:Silo:MetricsPort</c> is set: off by default, since
/// each silo on a machine needs a port of its own. With an OTLP collector, traces add batch commits and their
/// PostgreSQL commands.
/// </summary>
public static class SiloTelemetry
{
    public const string ServiceName = "ledger-silo";

    /// <summary>Where the metrics listener binds unless <c>Ledger:Silo:MetricsHost</c> says otherwise ("+" is every address).</summary>
    public const string MetricsHostDefault = "localhost";

    public static ServiceTelemetry For(IConfiguration configuration)
    {
        var silo = configuration.GetSection("Ledger:Silo");
        var metricsPort = silo.GetValue("MetricsPort", 0);
        return new ServiceTelemetry(ServiceName)
        {
            Meters = [LedgerMetrics.Name],
            ActivitySources = [LedgerMetrics.Name, ActivitySources.RuntimeActivitySourceName, ActivitySources.StorageActivitySourceName],
            ConfigureMetrics = metrics => metrics.AddNpgsqlInstrumentation()
                .AddView(LedgerMetrics.PurchasesInstrument, new MetricStreamConfiguration { CardinalityLimit = LedgerMetrics.PurchaseSeriesMax }),
            // Spans are kept only for work a traced caller started (a gateway request, say): without a parent,
            // Orleans' own chatter (membership, timers) and its PostgreSQL queries would be traces of their own every
            // few seconds.
            ConfigureTracing = tracing => tracing.SetSampler(new ParentBasedSampler(new AlwaysOffSampler())).AddNpgsql(),
            MetricsListener = metricsPort > 0 ? (silo["MetricsHost"] ?? MetricsHostDefault, metricsPort) : null,
        };
    }
}
