using Ledger.Client.Api.Contracts;
using Ledger.Client.Api.Sales;
using Ledger.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Ledger.Client.Api.Apis;

/// <summary>
/// The public live sales page: <c>GET /sales</c> (a self-contained HTML page that polls) and
/// <c>GET /sales/feed</c> (its JSON), both optionally narrowed to one program with <c>?program=</c>.
/// </summary>
public static class SalesApi
{
    private const string PageResource = "Ledger.Client.Api.Sales.sales.html";

    /// <summary>Registers the board when the gateway knows the database (<c>ConnectionStrings:Ledger</c>).</summary>
    public static IServiceCollection AddSalesBoard(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddKeyedSingleton(SalesBoard.ClockKey, TimeProvider.System);
        if (configuration.GetConnectionString("Ledger") is not { } connectionString)
        {
            return services;
        }

        // A pool of its own, small and separate from the silos' budget of PostgreSQL connections.
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = SalesLedger.ConnectionsMax;
        builder.ConnectionStringBuilder.ApplicationName = "ledger-gateway-sales";
        services.AddSingleton(new SalesLedger(builder.Build()));
        services.AddSingleton<SalesBoard>();
        return services;
    }

    /// <param name="page">The group for the HTML page.</param>
    /// <param name="ledger">The group for the feed, which needs the cluster.</param>
    public static void MapSalesApi(IEndpointRouteBuilder page, IEndpointRouteBuilder ledger)
    {
        var html = EmbeddedPage.Read(PageResource);
        // Out of the gateway's overload limit (OverloadLimit), whose budget purchases need: the page is a
        // constant and the feed a lookup in the last build (SalesBoard), so neither queues nor holds anything
        // that a flood of them could exhaust; the only wait, for a gateway's first feed, is bounded in time.
        page.MapGet("/sales", (string? program) =>
                CheckProgram(program) ?? Cached(TypedResults.Content(html, "text/html; charset=utf-8"), PageMaxAgeSeconds))
            .DisableRateLimiting().WithTags(OpenApiContract.SalesTag)
            .WithSummary("The live sales page")
            .WithDescription("A page for the public: each open sale's remaining caps, its queue and its sales curve, live.")
            .Produces<string>(StatusCodes.Status200OK, "text/html").ProducesInvalid();
        ledger.MapGet("/sales/feed", GetFeedAsync)
            .DisableRateLimiting().WithTags(OpenApiContract.SalesTag)
            .WithSummary("The live sales feed")
            .WithDescription("This month's sales (KST) that are scheduled, open or sold out, with their state, curve and queue; "
                + "built at most once a second. `program` narrows it to one program.")
            .Produces<SalesFeedBody>().ProducesInvalid().WithLedgerProblems();
    }

    public static async Task<IResult> GetFeedAsync(string? program, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (CheckProgram(program) is { } invalid)
        {
            return invalid;
        }

        if (services.GetService<SalesBoard>() is not { } board)
        {
            return LedgerResults.Unavailable("The sales feed needs the database: set ConnectionStrings:Ledger.");
        }

        return await board.GetFeedAsync(program, cancellationToken) is { } feed
            ? Cached(TypedResults.Bytes(feed, "application/json"), FeedMaxAgeSeconds)
            : LedgerResults.Unavailable("The sales feed is not ready: its database or cluster is slow or unreachable.");
    }

    private static IResult? CheckProgram(string? program) =>
        program is null || ProgramMonth.IsValidProgramId(program)
            ? null
            : LedgerResults.Invalid("program", "A program id is 1 to 40 of a-z, 0-9 and '-'.");

    /// <summary>Lets a proxy in front of the gateway answer the public too, for as long as the feed is fresh.</summary>
    private static IResult Cached(IResult result, int maxAgeSeconds) =>
        new CacheControl(result, $"public, max-age={maxAgeSeconds}");

    private const int FeedMaxAgeSeconds = 1;
    private const int PageMaxAgeSeconds = 60;

    private sealed class CacheControl(IResult inner, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.CacheControl = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
