using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Bench.Gateway;
using Ledger.Bench.Probes;
using Ledger.Grains.Interfaces;
using Ledger.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The benchmark's floor purchases: served by the bench gateway (bench/Gateway), which is the gateway plus them,
/// and never by the gateway built from Client.Api/, whatever its settings. The test cluster hosts the probe grain
/// because this project references the bench gateway.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class BenchGatewayTests(GatewayFixture fixture)
{
    private const string NoOpPath = "/bench/no-op/programs/nowhere/months/2022-12";
    private const string GrainHopsPath = "/bench/grain-hops/programs/nowhere/months/2022-12";

    [Fact]
    public async Task The_gateway_serves_no_floor_purchase_even_with_the_setting_that_once_mapped_them()
    {
        await using var gateway = fixture.With(("Ledger:Bench:NoOpEndpoint", "true"));
        var citizen = As(gateway, "citizen-n1");

        var noOp = await GatewayRequests.BuyAsync(citizen, NoOpPath, "k1", new { channel = "mobile", amount = 10_000 });
        var hops = await GatewayRequests.BuyAsync(citizen, GrainHopsPath, "k1", new { channel = "mobile", amount = 10_000 });

        Assert.Equal(HttpStatusCode.NotFound, noOp.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hops.StatusCode);
    }

    [Fact]
    public async Task The_no_op_purchase_checks_like_a_purchase_buys_nothing_and_is_not_in_the_OpenAPI_document()
    {
        await using var bench = fixture.Joined<BenchGateway>();
        var citizen = As(bench, "citizen-n2");

        var created = await GatewayRequests.BuyAsync(citizen, NoOpPath, "k1", new { channel = "mobile", amount = 10_000 });
        var invalid = await GatewayRequests.BuyAsync(citizen, NoOpPath, "k2", new { channel = "mobile" });
        var anonymous = await GatewayRequests.BuyAsync(bench.CreateClient(), NoOpPath, "k3", new { channel = "mobile", amount = 10_000 });
        var state = await fixture.Anonymous().GetAsync("/programs/nowhere/months/2022-12");
        var openApi = await bench.CreateClient().GetStringAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("citizen-n2", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("citizenId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, state.StatusCode);
        Assert.Contains("/programs/{programId}/months/{month}/purchases", openApi, StringComparison.Ordinal);
        Assert.DoesNotContain("/bench/", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_grain_hops_purchase_calls_a_probe_grain_per_citizen_and_per_program_month_and_buys_nothing()
    {
        await using var bench = fixture.Joined<BenchGateway>();

        var created = await GatewayRequests.BuyAsync(As(bench, "citizen-h1"), GrainHopsPath, "k1", new { channel = "mobile", amount = 10_000 });
        var invalid = await GatewayRequests.BuyAsync(As(bench, "citizen-h2"), GrainHopsPath, "k1", new { channel = "mobile" });
        var state = await fixture.Anonymous().GetAsync("/programs/nowhere/months/2022-12");
        var management = fixture.Ledger.Grains.GetGrain<IManagementGrain>(0);
        var probes = await management.GetActiveGrains(BenchProbes.GrainType);
        var citizens = await management.GetActiveGrains(GrainType.Create(LedgerGrains.CitizenGrainType));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("citizen-h1", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("citizenId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, state.StatusCode);
        Assert.Contains(GrainId.Create(BenchProbes.GrainType, "citizen-h1"), probes);
        Assert.Contains(GrainId.Create(BenchProbes.GrainType, new ProgramMonth("nowhere", "2022-12").Key), probes);
        Assert.DoesNotContain(GrainId.Create(BenchProbes.GrainType, "citizen-h2"), probes);
        Assert.DoesNotContain(GrainId.Create(LedgerGrains.CitizenGrainType, "citizen-h1"), citizens);
    }

    private HttpClient As<TEntryPoint>(WebApplicationFactory<TEntryPoint> gateway, string subject)
        where TEntryPoint : class
    {
        var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token(subject, []));
        return client;
    }
}
