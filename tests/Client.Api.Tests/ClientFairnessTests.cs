using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// A client in a tight loop gets a bounded share: 429 with Retry-After past its bucket, nothing done, and other
/// clients served as before. On a real port, so that anonymous reads have an address; with small buckets.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class ClientFairnessTests(GatewayFixture fixture) : IAsyncLifetime
{
    private const int Burst = 3;

    private WebApplicationFactory<Program> gateway = null!;

    public Task InitializeAsync()
    {
        gateway = GatewayFixture.OnRealPort(fixture.With(
            ("Ledger:Gateway:Fairness:CitizenPerSecond", "1"), ("Ledger:Gateway:Fairness:CitizenBurst", $"{Burst}"),
            ("Ledger:Gateway:Fairness:AddressPerSecond", "1"), ("Ledger:Gateway:Fairness:AddressBurst", $"{Burst}")));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await gateway.DisposeAsync();

    [Fact]
    public async Task A_citizen_reading_in_a_loop_is_told_429_with_retry_after_and_another_is_served()
    {
        var path = await OpenSaleAsync();
        var looping = Client(fixture.Token("citizen-r1", []));

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => looping.GetAsync(path)));
        var other = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => Client(fixture.Token("citizen-r2", [])).GetAsync(path)));

        AssertShare(answers, clock.Elapsed);
        Assert.All(other, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var refused = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After of at least a second");
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("too-many-requests", "urn:ledger:problem:too-many-requests"),
            (problem.GetProperty("code").GetString(), problem.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Purchases_past_a_citizens_share_buy_nothing_and_another_citizen_buys()
    {
        var path = await OpenSaleAsync();
        var looping = Client(fixture.Token("citizen-r3", []));

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            GatewayRequests.BuyAsync(looping, path, $"k{i}", new { channel = "mobile", amount = Scenario.Unit })));
        var other = await GatewayRequests.BuyAsync(Client(fixture.Token("citizen-r4", [])), path, "k", new { channel = "mobile", amount = Scenario.Unit });

        AssertShare(answers, clock.Elapsed);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        var bought = answers.Count(a => a.StatusCode == HttpStatusCode.Created);
        var state = await gateway.CreateClient().GetFromJsonAsync<JsonElement>(path);
        Assert.Equal((bought + 1) * Scenario.Unit, state.GetProperty("channels").GetProperty("mobile").GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task Anonymous_reads_share_a_bucket_per_address_and_a_citizen_keeps_their_own()
    {
        var path = await OpenSaleAsync();
        var anonymous = gateway.CreateClient();

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => anonymous.GetAsync(path)));
        var citizen = await Client(fixture.Token("citizen-r5", [])).GetAsync(path);

        AssertShare(answers, clock.Elapsed);
        Assert.Equal(HttpStatusCode.OK, citizen.StatusCode);
    }

    [Fact]
    public async Task A_teller_selling_for_many_citizens_at_once_is_not_limited()
    {
        var path = await OpenSaleAsync();
        var teller = Client(fixture.Token("teller-r1", [LedgerAuth.TellerRole]));

        var answers = await Task.WhenAll(Enumerable.Range(0, 4 * Burst).Select(i =>
            GatewayRequests.BuyAsync(teller, path, $"counter-{i}", new { channel = "paper", amount = Scenario.Unit, citizenId = $"citizen-t{i}" })));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
    }

    /// <summary>At most the burst and what refilled meanwhile was served; the rest was refused.</summary>
    private static void AssertShare(HttpResponseMessage[] answers, TimeSpan elapsed)
    {
        var refused = answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.InRange(answers.Length - refused, 1, Burst + (int)Math.Ceiling(elapsed.TotalSeconds));
        Assert.True(refused > 0, "Nothing was refused.");
    }

    private HttpClient Client(string token)
    {
        var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> OpenSaleAsync()
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var path = GatewayRequests.PathOf(new ProgramMonth($"f{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(now)));
        var put = await Client(fixture.Token("operator-r1", [LedgerAuth.AdminRole])).PutAsJsonAsync(path, GatewayRequests.Policy(now.AddMinutes(-1)));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return path;
    }
}
