using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>The guard against operator error and the policy history over HTTP (API.md).</summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class GatewayPolicyGuardTests(GatewayFixture fixture)
{
    private readonly HttpClient admin = fixture.As("operator-9", LedgerAuth.AdminRole);

    [Fact]
    public async Task Zero_caps_are_refused_409_confirm_required_until_confirmed_and_every_version_is_listed_with_its_setter()
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var path = GatewayRequests.PathOf(Scenario.NewProgramMonth(fixture.Ledger));
        object Policy(long mobile, bool? confirm) => new
        {
            opensAt = now.AddMinutes(-1), discountBps = 1_000, citizenMonthlyLimit = Scenario.Limit, unit = Scenario.Unit,
            caps = new { mobile, paper = 0L }, confirm,
        };

        var forgotten = await admin.PutAsJsonAsync(path, Policy(0, null));
        var noState = await fixture.Anonymous().GetAsync(path);
        var noHistory = await admin.GetAsync($"{path}/policy-history");
        var meant = await admin.PutAsJsonAsync(path, Policy(0, true));
        var fixedUp = await fixture.As("operator-10", LedgerAuth.AdminRole).PutAsJsonAsync(path, Policy(1_000_000, false));
        var history = await admin.GetFromJsonAsync<JsonElement>($"{path}/policy-history");
        var asCitizen = await fixture.As("citizen-p1").GetAsync($"{path}/policy-history");

        Assert.Equal(HttpStatusCode.Conflict, forgotten.StatusCode);
        var problem = await forgotten.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("confirm-required", problem.GetProperty("code").GetString());
        Assert.Contains("\"confirm\":true", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noState.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noHistory.StatusCode);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (meant.StatusCode, fixedUp.StatusCode));
        Assert.False((await fixedUp.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("confirm", out _));
        var versions = history.GetProperty("versions").EnumerateArray().ToArray();
        Assert.Equal(
            [(1L, "operator-9", 0L), (2L, "operator-10", 1_000_000L)],
            versions.Select(v => (v.GetProperty("version").GetInt64(), v.GetProperty("setBy").GetString(),
                v.GetProperty("policy").GetProperty("caps").GetProperty("mobile").GetInt64())));
        Assert.All(versions, v => Assert.Equal(TimeSpan.Zero, v.GetProperty("setAt").GetDateTimeOffset() - now));
        Assert.Equal(HttpStatusCode.Forbidden, asCitizen.StatusCode);
    }
}
