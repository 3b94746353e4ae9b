using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ledger.ServiceDefaults;

/// <summary>
/// What a host reports beside what every host does (<see cref="ServiceDefaultsExtensions.ConfigureOpenTelemetry"/>):
/// its name, its own meters and activity sources, and where Prometheus reads its metrics.
/// </summary>
/// <param name="ServiceName">The resource's <c>service.name</c>.</param>
public sealed record ServiceTelemetry(string ServiceName)
{
    public IReadOnlyList<string> Meters { get; init; } = [];

    /// <summary>Activity sources traced when an OTLP collector is set.</summary>
    public IReadOnlyList<string> ActivitySources { get; init; } = [];

    /// <summary>Request paths, beside health and metrics, whose requests are not traced.</summary>
    public IReadOnlyList<string> UntracedPaths { get; init; } = [];

    /// <summary>Instrumentation and views beyond the meters.</summary>
    public Action<MeterProviderBuilder>? ConfigureMetrics { get; init; }

    /// <summary>Instrumentation and sampling beyond the activity sources.</summary>
    public Action<TracerProviderBuilder>? ConfigureTracing { get; init; }

    /// <summary>Prometheus on a listener of its own, for a host without a web server; null for none.</summary>
    public (string Host, int Port)? MetricsListener { get; init; }

    /// <summary>Prometheus at the host's own <c>/metrics</c> (<see cref="ServiceDefaultsExtensions.MapDefaultEndpoints"/>).</summary>
    public bool MetricsEndpoint { get; init; }
}
