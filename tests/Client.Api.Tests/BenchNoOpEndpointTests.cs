using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Client.Api.Apis;
using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Tests;

/// <summary>The benchmark's floor purchases exist only when the setting asks for it.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BenchNoOpEndpointTests(GatewayFixture fixture)
{
    private const string NoOpPath = "/bench/no-op/programs/nowhere/months/2022-12";
    private const string GrainHopsPath = "/bench/grain-hops/programs/nowhere/months/2022-12";

    [Fact]
    public async Task The_no_op_purchase_is_absent_by_default_and_from_the_OpenAPI_document()
    {
        var response = await GatewayRequests.BuyAsync(fixture.As("citizen-n1"), NoOpPath, "k1", new { channel = "mobile", amount = 10_000 });
        var hops = await GatewayRequests.BuyAsync(fixture.As("citizen-n1"), GrainHopsPath, "k1", new { channel = "mobile", amount = 10_000 });
        var openApi = await fixture.Anonymous().GetStringAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hops.StatusCode);
        Assert.DoesNotContain("/bench/", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_enabled_the_no_op_purchase_checks_like_a_purchase_and_buys_nothing()
    {
        await using var gateway = fixture.With((BenchApi.NoOpSetting, "true"));
        var citizen = gateway.CreateClient();
        citizen.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token("citizen-n2", []));

        var created = await GatewayRequests.BuyAsync(citizen, NoOpPath, "k1", new { channel = "mobile", amount = 10_000 });
        var invalid = await GatewayRequests.BuyAsync(citizen, NoOpPath, "k2", new { channel = "mobile" });
        var anonymous = await GatewayRequests.BuyAsync(gateway.CreateClient(), NoOpPath, "k3", new { channel = "mobile", amount = 10_000 });
        var state = await fixture.Anonymous().GetAsync("/programs/nowhere/months/2022-12");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("citizen-n2", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("citizenId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, state.StatusCode);
    }

    [Fact]
    public async Task When_enabled_the_grain_hops_purchase_calls_a_probe_grain_per_citizen_and_per_program_month_and_buys_nothing()
    {
        await using var gateway = fixture.With((BenchApi.NoOpSetting, "true"));
        HttpClient As(string subject)
        {
            var client = gateway.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token(subject, []));
            return client;
        }

        var created = await GatewayRequests.BuyAsync(As("citizen-h1"), GrainHopsPath, "k1", new { channel = "mobile", amount = 10_000 });
        var invalid = await GatewayRequests.BuyAsync(As("citizen-h2"), GrainHopsPath, "k1", new { channel = "mobile" });
        var state = await fixture.Anonymous().GetAsync("/programs/nowhere/months/2022-12");
        var management = fixture.Ledger.Grains.GetGrain<IManagementGrain>(0);
        var probes = await management.GetActiveGrains(GrainType.Create(LedgerGrains.BenchProbeGrainType));
        var citizens = await management.GetActiveGrains(GrainType.Create(LedgerGrains.CitizenGrainType));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("citizen-h1", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("citizenId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, state.StatusCode);
        Assert.Contains(GrainId.Create(LedgerGrains.BenchProbeGrainType, "citizen-h1"), probes);
        Assert.Contains(GrainId.Create(LedgerGrains.BenchProbeGrainType, new ProgramMonth("nowhere", "2022-12").Key), probes);
        Assert.DoesNotContain(GrainId.Create(LedgerGrains.BenchProbeGrainType, "citizen-h2"), probes);
        Assert.DoesNotContain(GrainId.Create(LedgerGrains.CitizenGrainType, "citizen-h1"), citizens);
    }
}
