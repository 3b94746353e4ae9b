using System.Net;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Tests;
using Ledger.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.OpenApi.Tests;

/// <summary>The real gateway binary with no silo to reach, behind the validating proxy: its 503s are as the document says.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class UnreachableLedgerTests
{
    [Fact]
    public async Task A_gateway_that_cannot_reach_the_ledger_answers_503_with_retry_after_as_documented()
    {
        var key = Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray();
        await NodeTools.EnsureInstalledAsync();
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Ledger__Auth__SigningKey"] = Convert.ToBase64String(key),
            ["Ledger__Cluster__Gateways"] = $"127.0.0.1:{Ledger.Grains.Tests.TestPorts.Free()}",
        });
        await gateway.LineAsync(GatewayProcess.ListeningLine);
        var document = Path.Combine(Path.GetTempPath(), $"ledger-openapi-{Guid.NewGuid():N}.json");
        using (var http = new HttpClient { BaseAddress = gateway.Url })
        {
            await File.WriteAllTextAsync(document, await http.GetStringAsync("/openapi/v1.json"));
        }

        try
        {
            await using var proxy = await PrismProxy.StartAsync(document, gateway.Url, errors: true);
            var token = LedgerAuth.Mint(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(key))),
                "citizen-503", [], DateTime.UtcNow, TimeSpan.FromHours(1));
            var state = await Exchange.SendAsync(proxy, "the live state", HttpMethod.Get, "/programs/chuncheon/months/2022-12");
            var buy = await Exchange.SendAsync(proxy, "a purchase", HttpMethod.Post, "/programs/chuncheon/months/2022-12/purchases", token,
                new { channel = "mobile", amount = 10_000 }, ("Idempotency-Key", "k"));
            var ready = await Exchange.SendAsync(proxy, "readiness", HttpMethod.Get, "/health/ready");
            var live = await Exchange.SendAsync(proxy, "liveness", HttpMethod.Get, "/health/live");

            Assert.All([state, buy, ready], e => Assert.NotNull(e.Passes(HttpStatusCode.ServiceUnavailable).Response.Headers.RetryAfter));
            Assert.Equal("unavailable", state.Text("code"));
            live.Passes(HttpStatusCode.OK);
        }
        finally
        {
            File.Delete(document);
        }
    }
}
