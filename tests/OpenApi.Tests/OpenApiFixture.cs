using Ledger.Client.Api.Tests;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.OpenApi.Tests;

/// <summary>
/// The gateway on a real port, joined to a test cluster on the test PostgreSQL with the payment sandbox
/// (<see cref="GatewayFixture"/>), its OpenAPI document as it serves it, and two validating proxies in front of it:
/// <see cref="Strict"/> (refuses what the document does not allow) and <see cref="Lenient"/> (passes it and reports).
/// </summary>
public sealed class OpenApiFixture : IAsyncLifetime
{
    private readonly GatewayFixture gateway = new();
    private WebApplicationFactory<Program>? web;
    private PrismProxy? strict;
    private PrismProxy? lenient;

    public GatewayFixture Gateway => gateway;

    public Uri GatewayUrl => web?.ClientOptions.BaseAddress ?? throw new InvalidOperationException("The gateway did not start.");

    /// <summary>The document the gateway served, in a file of its own.</summary>
    public string DocumentPath { get; } = Path.Combine(Path.GetTempPath(), $"ledger-openapi-{Guid.NewGuid():N}.json");

    public PrismProxy Strict => strict ?? throw new InvalidOperationException("The proxy did not start.");

    public PrismProxy Lenient => lenient ?? throw new InvalidOperationException("The proxy did not start.");

    public async Task InitializeAsync()
    {
        await NodeTools.EnsureInstalledAsync();
        await gateway.InitializeAsync();
        web = GatewayFixture.OnRealPort(gateway.Joined<Program>());
        using var http = new HttpClient { BaseAddress = GatewayUrl };
        await File.WriteAllTextAsync(DocumentPath, await http.GetStringAsync("/openapi/v1.json"));
        strict = await PrismProxy.StartAsync(DocumentPath, GatewayUrl, errors: true);
        lenient = await PrismProxy.StartAsync(DocumentPath, GatewayUrl, errors: false);
    }

    public async Task DisposeAsync()
    {
        foreach (var proxy in new[] { strict, lenient })
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }
        }

        if (web is not null)
        {
            await web.DisposeAsync();
        }

        await gateway.DisposeAsync();
        File.Delete(DocumentPath);
    }
}
