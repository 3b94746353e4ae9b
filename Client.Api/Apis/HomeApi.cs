namespace Ledger.Client.Api.Apis;

/// <summary>The gateway's front page, <c>GET /</c>: links to the live sales page and the API reference.</summary>
public static class HomeApi
{
    private const string PageResource = "Ledger.Client.Api.Home.home.html";

    public static IEndpointRouteBuilder MapHomePage(this IEndpointRouteBuilder app)
    {
        var html = EmbeddedPage.Read(PageResource);
        app.MapGet("/", () => TypedResults.Content(html, "text/html")).ExcludeFromDescription();
        return app;
    }
}
