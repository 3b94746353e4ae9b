namespace Ledger.Client.Api.Apis;

/// <summary>
/// The citizen's buy page, <c>GET /buy/{programId}/{month}</c>: a self-contained HTML page that buys mobile
/// vouchers through the public API with the citizen's token, waits its turn in the waiting room, and shows the
/// remaining cap live.
/// </summary>
public static class BuyApi
{
    private const string PageResource = "Ledger.Client.Api.Buy.buy.html";

    public static IEndpointRouteBuilder MapBuyApi(this IEndpointRouteBuilder app)
    {
        var html = EmbeddedPage.Read(PageResource);
        // Out of the overload limit like /sales: the page is a constant, and the purchases it sends meet the
        // waiting room like any other.
        app.MapGet("/buy/{programId}/{month}", (string programId, string month) => GetPage(html, programId, month))
            .DisableRateLimiting().WithTags(OpenApiContract.SalesTag)
            .WithSummary("A citizen's buy page")
            .WithDescription("A page that buys mobile vouchers with the citizen's token (pasted, or in the URL's fragment "
                + "`#token=...`), waiting its turn in the waiting room.")
            .Produces<string>(StatusCodes.Status200OK, "text/html").ProducesInvalid();
        return app;
    }

    /// <summary>The page for any well-formed program-month: the page reads the sale itself and says when there is none.</summary>
    public static IResult GetPage(string html, string programId, string month) =>
        RequestChecks.ProgramMonth(programId, month, out _) is { Count: > 0 } errors
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Content(html, "text/html; charset=utf-8");
}
