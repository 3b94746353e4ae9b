using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace Ledger.ServiceDefaults;

/// <summary>
/// What the silo and the gateway share, wired once (eShop's ServiceDefaults): OpenTelemetry, health checks and the
/// HTTP JSON options; for a host with a web server, its <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthPath = "/health";
    public const string MetricsPath = "/metrics";

    /// <summary>Orleans' own meter: every Ledger process is a silo or a client of the cluster.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>With this set (and the other standard <c>OTEL_*</c> settings), traces, metrics and logs go to an OTLP collector.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, ServiceTelemetry telemetry)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(telemetry);
        builder.ConfigureOpenTelemetry(telemetry);
        builder.AddDefaultHealthChecks();
        builder.Services.ConfigureHttpJsonOptions(json => LedgerJson.Configure(json.SerializerOptions));
        return builder;
    }

    /// <summary>
    /// Metrics of the host's meters and Orleans', for Prometheus and OTLP; with a collector, traces of Orleans' grain
    /// calls (which carry a caller's trace from process to process), of requests and of the host's sources, and logs.
    /// Without Prometheus or a collector nothing is measured, and the purchase path pays nothing.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, ServiceTelemetry telemetry)
        where TBuilder : IHostApplicationBuilder
    {
        var otlp = !string.IsNullOrEmpty(builder.Configuration[OtlpEndpointSetting]);
        if (!otlp && telemetry is { MetricsEndpoint: false, MetricsListener: null })
        {
            return builder;
        }

        var openTelemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddMeter([.. telemetry.Meters, OrleansMeter]);
                telemetry.ConfigureMetrics?.Invoke(metrics);
                if (telemetry.MetricsEndpoint)
                {
                    metrics.AddPrometheusExporter();
                }

                if (telemetry.MetricsListener is { } listener)
                {
                    metrics.AddPrometheusHttpListener(options => (options.Host, options.Port) = listener);
                }
            });
        if (otlp)
        {
            // UseOtlpExporter turns on logs as well, exported beside the traces and metrics.
            openTelemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => IsTraced(context.Request.Path, telemetry))
                    .AddSource([ActivitySources.ApplicationGrainActivitySourceName, .. telemetry.ActivitySources]);
                telemetry.ConfigureTracing?.Invoke(tracing);
            }).UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The health check service; each host adds its checks, tagged <see cref="HealthTags"/>.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c> and <c>/health/ready</c>, and <c>/metrics</c> for loopback callers when the host's metrics are
    /// served there. Outside any rate limit: an overloaded host is still alive, says whether it is ready, and is measured.
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks($"{HealthPath}/{HealthTags.Live}", Answering(HealthTags.Live)).DisableRateLimiting();
        app.MapHealthChecks($"{HealthPath}/{HealthTags.Ready}", Answering(HealthTags.Ready)).DisableRateLimiting();
        if (app.ServiceProvider.GetRequiredService<ServiceTelemetry>().MetricsEndpoint)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).AddEndpointFilter(async (context, next) =>
                IsLoopback(context.HttpContext.Connection.RemoteIpAddress)
                    ? await next(context)
                    : LedgerProblems.NotFound("Metrics are served on loopback only."))
                .DisableRateLimiting();
        }

        return app;
    }

    private static HealthCheckOptions Answering(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = (context, report) => WriteHealthAsync(context, report, tag),
    };

    /// <summary>Healthy: 200 with the word as plain text. Not: 503 problem details with Retry-After, naming what fails.</summary>
    private static Task WriteHealthAsync(HttpContext context, HealthReport report, string word)
    {
        if (report.Status == HealthStatus.Healthy)
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(word);
        }

        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key} ({e.Value.Description})");
        return LedgerProblems.Unavailable($"Not ready: {string.Join("; ", failing)}.").ExecuteAsync(context);
    }

    // Scrapes and probes every few seconds would drown the requests that matter.
    private static bool IsTraced(PathString path, ServiceTelemetry telemetry) =>
        !path.StartsWithSegments(MetricsPath) && !path.StartsWithSegments(HealthPath)
        && !telemetry.UntracedPaths.Any(untraced => path.StartsWithSegments(untraced));

    // The in-process test server has no remote address; it is as local as loopback.
    private static bool IsLoopback(IPAddress? address) => address is null || IPAddress.IsLoopback(address);
}
