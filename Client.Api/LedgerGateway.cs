using Ledger.Client.Api.Apis;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Hosting;
using Ledger.Client.Api.Queue;
using Ledger.Client.Api.State;
using Ledger.ServiceDefaults;

namespace Ledger.Client.Api;

/// <summary>
/// The gateway host: its services, its pipeline and its endpoints. Built by the gateway's Program; a host that
/// serves endpoints of its own (the benchmark's floors, <c>bench/Gateway</c>) passes <c>mapLedger</c>, so the
/// gateway it runs is this one and the endpoints it adds stay out of this assembly.
/// </summary>
public static class LedgerGateway
{
    /// <summary>
    /// The gateway, ready to run. <paramref name="mapLedger"/> maps more endpoints beside the ledger's own, behind
    /// the same filter (503 until the cluster is joined and every path is warm).
    /// </summary>
    public static WebApplication Build(string[] args, Action<IEndpointRouteBuilder>? mapLedger = null)
    {
        var builder = WebApplication.CreateBuilder(
            new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        AddServices(builder);
        var app = builder.Build();
        app.UseRequestProbe();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<BodySizeLimit>();
        app.UseRouting();
        // After authentication, so that a client's share is its citizen's (the token's subject), not its address's.
        app.UseAuthentication();
        app.UseClientShares();
        app.UseRateLimiter();
        app.UseAuthorization();
        var ledger = app.MapGroup("").AddEndpointFilter<ClusterReadyFilter>();
        ledger.MapProgramsApi();
        ledger.MapPurchasesApi();
        ledger.MapCitizensApi();
        SalesApi.MapSalesApi(app, ledger);
        app.MapBuyApi();
        mapLedger?.Invoke(ledger);
        app.MapDefaultEndpoints();
        app.MapDashboardApi();
        app.MapOpenApi();
        app.MapLedgerApiReference();
        app.MapHomePage();
        return app;
    }

    private static void AddServices(WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = Program.BodyBytesMax;
            kestrel.UseServerProblemBodies();
        });
        // Bounded connections, every assembly loaded before listening, every path warmed before ready.
        builder.AddLedgerHosting();
        builder.UseOrleansClient(client => LedgerClient.Configure(client, builder.Configuration));
        // The Orleans client waits for a silo before it is connected; serve HTTP meanwhile (503 with Retry-After)
        // rather than refusing connections until a silo is up.
        builder.Services.Configure<HostOptions>(host => host.ServicesStartConcurrently = true);
        // Telemetry, /health and /metrics, and the strict JSON of API.md, as the silos have them.
        builder.AddServiceDefaults(GatewayTelemetry.Telemetry);
        // An unreadable body throws in every environment, so BadRequestHandler can name the field.
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = LedgerResults.Complete);
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        builder.Services.AddExceptionHandler<LedgerUnavailableHandler>();
        builder.Services.AddLedgerAuth(builder.Configuration);
        builder.Services.AddLedgerHealthChecks(builder.Configuration);
        builder.Services.AddLedgerOverloadLimit(builder.Configuration);
        builder.Services.AddLedgerClientFairness(builder.Configuration);
        builder.Services.AddLedgerOpenApi();
        builder.Services.AddSalesBoard(builder.Configuration);
        builder.Services.AddSingleton(services => new StateReads(services.GetRequiredService<IGrainFactory>()));
        builder.Services.AddSingleton(ProgramMonthIndex.On(builder.Configuration.GetConnectionString("Ledger")));
        builder.Services.AddSingleton(new SoldOutHints(TimeProvider.System));
        builder.Services.AddWaitingRoom(builder.Configuration);
        builder.Services.AddDashboardAccess(builder.Configuration);
    }
}
