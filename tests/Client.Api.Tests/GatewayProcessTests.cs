using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>The real gateway binary, started as ./ledger up starts it, when no silo is reachable.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class GatewayProcessTests
{
    [Fact]
    public async Task A_gateway_with_no_silo_to_reach_serves_503_with_retry_after_instead_of_refusing_or_hanging()
    {
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Ledger__Auth__SigningKey"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()),
            // A gateway list naming a port where no silo listens.
            ["Ledger__Cluster__Gateways"] = $"127.0.0.1:{Ledger.Grains.Tests.TestPorts.Free()}",
        });
        await gateway.LineAsync(GatewayProcess.ListeningLine);
        using var http = new HttpClient { BaseAddress = gateway.Url, Timeout = TimeSpan.FromSeconds(10) };

        var state = await http.GetAsync("/programs/chuncheon/months/2022-12");
        var live = await http.GetAsync("/health/live");
        var ready = await http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, state.StatusCode);
        Assert.NotNull(state.Headers.RetryAfter);
        Assert.Equal("unavailable", (await state.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("purchase-path (The gateway is still warming up.)", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
