using Ledger.Client.Api.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Orleans.Dashboard;

namespace Ledger.Client.Api.Apis;

/// <summary>
/// The Orleans dashboard at <c>/dashboard/</c>, for admins (a bearer token with role admin) and operators
/// (HTTP Basic, <see cref="OperatorBasicHandler"/>; a browser asks for it). The gateway hosts it as an Orleans
/// client, so it has one address that outlives any silo, and the silos need no web server or credentials;
/// its data comes from the dashboard's grains on the silos (<c>AddDashboard</c> there too). Nothing of it
/// is on the purchase path: it adds no grain call filter to the gateway, and the silos profile grain calls
/// only while someone is looking.
/// </summary>
public static class DashboardApi
{
    public const string Path = "/dashboard";
    public const string Policy = "dashboard";

    public static IServiceCollection AddDashboardAccess(this IServiceCollection services, IConfiguration configuration)
    {
        // Refuses a short password at start rather than at the first sign-in.
        _ = OperatorBasicHandler.Password(configuration);
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, OperatorBasicHandler>(OperatorBasicHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme, OperatorBasicHandler.SchemeName)
            .RequireRole(LedgerAuth.AdminRole, OperatorBasicHandler.OperatorRole));
        return services;
    }

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        // Outside the overload limit: an overloaded gateway is when operators most need to look.
        app.MapOrleansDashboard(Path).RequireAuthorization(Policy).DisableRateLimiting().ExcludeFromDescription();
        return app;
    }
}
