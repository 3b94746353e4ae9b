using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>Opening by cohort over HTTP: the policy's cohorts, and the token's birthYear claim.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class GatewayCohortTests(GatewayFixture fixture)
{
    private readonly HttpClient admin = fixture.As("operator-c", LedgerAuth.AdminRole);

    [Fact]
    public async Task A_citizen_born_in_an_open_cohort_buys_and_others_are_told_their_own_opening()
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var path = GatewayRequests.PathOf(Scenario.NewProgramMonth(fixture.Ledger));
        var put = await admin.PutAsJsonAsync(path, new
        {
            opensAt = now.AddHours(2), discountBps = 1_000, citizenMonthlyLimit = Scenario.Limit, unit = Scenario.Unit,
            caps = new { mobile = 1_000_000L, paper = 0L },
            cohorts = new object[]
            {
                new { birthYears = "even", opensAt = now.AddMinutes(-1) },
                new { birthYears = new { to = 1961 }, opensAt = now.AddHours(1) },
            },
        });

        var even = await BuyAsync(1990);
        var old = await BuyAsync(1961);
        var noClaim = await BuyAsync(null);
        var state = await fixture.Anonymous().GetFromJsonAsync<JsonElement>(path);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.Created, even.StatusCode);
        Assert.Equal(now.AddHours(1), await NotOpenUntilAsync(old));
        Assert.Equal(now.AddHours(2), await NotOpenUntilAsync(noClaim));
        Assert.Equal("open", state.GetProperty("status").GetString());
        var cohorts = state.GetProperty("cohorts");
        Assert.Equal("even", cohorts[0].GetProperty("birthYears").GetString());
        Assert.Equal(1961, cohorts[1].GetProperty("birthYears").GetProperty("to").GetInt32());
        Assert.False(cohorts[1].GetProperty("birthYears").TryGetProperty("from", out _));

        Task<HttpResponseMessage> BuyAsync(int? birthYear) => GatewayRequests.BuyAsync(
            fixture.WithToken(fixture.Token(Scenario.NewCitizen(), [], birthYear: birthYear)), path, Scenario.NewKey(),
            new { channel = "mobile", amount = Scenario.Unit });
    }

    [Fact]
    public async Task Malformed_cohorts_are_400_naming_the_field_and_change_nothing()
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var path = GatewayRequests.PathOf(Scenario.NewProgramMonth(fixture.Ledger));

        var put = await admin.PutAsJsonAsync(path, new
        {
            opensAt = now, discountBps = 1_000, citizenMonthlyLimit = Scenario.Limit, unit = Scenario.Unit,
            caps = new { mobile = 1_000_000L, paper = 0L },
            cohorts = new object[] { new { birthYears = "prime", opensAt = now }, new { birthYears = new { from = "1960" } } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var errors = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(
            ["cohorts[0].birthYears", "cohorts[1].birthYears", "cohorts[1].opensAt"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Anonymous().GetAsync(path)).StatusCode);
    }

    private static async Task<DateTimeOffset> NotOpenUntilAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("not-open", problem.GetProperty("code").GetString());
        return problem.GetProperty("opensAt").GetDateTimeOffset();
    }
}
