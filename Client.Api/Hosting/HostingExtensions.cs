using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics;

namespace Ledger.Client.Api.Hosting;

/// <summary>What keeps the gateway standing in a storm: the connection bound, nothing loaded under fire, truthful health.</summary>
public static class HostingExtensions
{
    public static WebApplicationBuilder AddLedgerHosting(this WebApplicationBuilder builder)
    {
        var loaded = AssemblyPreload.LoadReferencesOf(typeof(Program).Assembly);
        var bound = ConnectionBound.Size(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => bound.ApplyTo(kestrel, builder.Configuration));
        builder.Services.AddSingleton(bound);
        builder.Services.AddSingleton<ConnectionGate>();
        BoundTransport(builder.Services);
        builder.Services.AddSingleton<PurchasePathProbe>();
        builder.Services.AddHostedService<WarmUp>();
        builder.Services.AddSingleton<GatewayStop>();
        builder.Services.AddSingleton<CachedFailureHandler>();
        builder.Services.AddSingleton<IExceptionHandler>(services => services.GetRequiredService<CachedFailureHandler>());
        builder.Services.AddHostedService(services => new StartReport(
            bound, loaded, services.GetRequiredService<ILogger<ConnectionBound>>()));
        return builder;
    }

    // Kestrel's socket transport, wrapped so that its accept loop enforces the bound. (A test server has none.)
    private static void BoundTransport(IServiceCollection services)
    {
        if (services.LastOrDefault(d => d.ServiceType == typeof(IConnectionListenerFactory)) is not { ImplementationType: { } transport } found)
        {
            return;
        }

        services.Remove(found);
        services.AddSingleton<IConnectionListenerFactory>(provider => new BoundedListenerFactory(
            (IConnectionListenerFactory)ActivatorUtilities.CreateInstance(provider, transport), provider.GetRequiredService<ConnectionGate>(),
            provider.GetRequiredService<ConnectionBound>().ManagementPort));
    }

    /// <summary>
    /// First in the pipeline: the probe sends its requests through everything after it. The management port,
    /// which the connection bound leaves out, answers nothing but health and metrics.
    /// </summary>
    public static IApplicationBuilder UseRequestProbe(this IApplicationBuilder app)
    {
        var bound = app.ApplicationServices.GetRequiredService<ConnectionBound>();
        if (bound.ManagementPort is not null)
        {
            app.Use((context, next) => !bound.IsManagement(context)
                || context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics")
                    ? next(context)
                    : LedgerResults.NotFound("The management port serves /health and /metrics only.").ExecuteAsync(context));
        }

        var probe = app.ApplicationServices.GetRequiredService<PurchasePathProbe>();
        return app.Use(probe.Capture);
    }

    private sealed class StartReport(ConnectionBound bound, int loaded, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogInformation("Serving {Bound}; {Loaded} assemblies loaded before listening", bound, loaded);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
