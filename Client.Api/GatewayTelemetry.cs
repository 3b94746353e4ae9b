using Ledger.Client.Api.Apis;
using Ledger.ServiceDefaults;

namespace Ledger.Client.Api;

/// <summary>
/// The gateway's part of the shared telemetry (<see cref="ServiceDefaultsExtensions"/>): its metrics in Prometheus text
/// format at <c>/metrics</c>, for callers on loopback (ASP.NET Core's, Orleans' and <see cref="GatewayMetrics"/>), and
/// with an OTLP collector each request's span, carried into the silos by its grain calls (activity propagation,
/// <see cref="LedgerClient"/>), so a purchase is one trace from the gateway to PostgreSQL.
/// </summary>
public static class GatewayTelemetry
{
    public const string ServiceName = "ledger-gateway";

    public static ServiceTelemetry Telemetry { get; } = new(ServiceName)
    {
        Meters = [GatewayMetrics.MeterName],
        // The dashboard's polling every second would drown the purchases.
        UntracedPaths = [DashboardApi.Path],
        MetricsEndpoint = true,
    };
}
