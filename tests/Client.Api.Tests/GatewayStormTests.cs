using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The 09:00 storm against the real gateway process on a lowered file limit: more buyers at once, each on a new
/// connection, than the process has file handles. The gateway must live, never answer 500, sell exactly the cap,
/// answer everyone and serve normally afterwards, and its health must stay reachable on its management port.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Process)]
public sealed class GatewayStormTests(GatewayFixture fixture)
{
    /// <summary>Low enough that the crowd below would take every handle if connections were not bounded.</summary>
    private const int FileLimit = 1_024;
    private const int Buyers = 1_600;
    private const int CapInPurchases = 800;
    private const long PeakResidentBytesMax = 1L << 30;

    private readonly string signingKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());

    [Fact]
    public async Task A_cold_gateway_whose_first_authenticated_request_comes_in_the_storm_stands_and_sells_exactly_the_cap()
    {
        var programMonth = await OpenStormSaleAsync();
        await using var gateway = StartGateway();
        await gateway.LineAsync(GatewayProcess.ListeningLine);

        // The crowd arrives the moment the gateway listens: before it has (or just as it has) warmed, and before
        // it has served anyone.
        await StormAsync(gateway, programMonth);
    }

    [Fact]
    public async Task A_gateway_that_has_served_purchases_stands_in_the_storm_and_sells_exactly_the_cap()
    {
        await using var gateway = StartGateway();
        await gateway.LineAsync(GatewayProcess.WarmLine);
        var before = await fixture.Ledger.OpenSaleAsync(Scenario.OpenPolicy(fixture.Ledger, mobileCap: 400 * Scenario.Unit));
        var earlier = new StormCrowd(gateway.Url, PurchasesPath(before), Token, gateway.ManagementUrl);
        var served = await earlier.RunAsync(Enumerable.Range(0, 200).Select(_ => Scenario.NewCitizen()).ToArray());
        Assert.All(served.Values, status => Assert.Equal(201, status));

        await StormAsync(gateway, await OpenStormSaleAsync());
    }

    private Task<ProgramMonth> OpenStormSaleAsync() => fixture.Ledger.OpenSaleAsync(StormPolicy());

    private Policy StormPolicy() => Scenario.OpenPolicy(fixture.Ledger, mobileCap: CapInPurchases * Scenario.Unit);

    private async Task StormAsync(GatewayProcess gateway, ProgramMonth programMonth)
    {
        var crowd = new StormCrowd(gateway.Url, PurchasesPath(programMonth), Token, gateway.ManagementUrl);
        var citizens = Enumerable.Range(0, Buyers).Select(_ => Scenario.NewCitizen()).ToArray();

        var finals = await crowd.RunAsync(citizens);

        Assert.False(gateway.HasExited, string.Join('\n', gateway.Output.TakeLast(40)));
        Assert.Empty(crowd.Unexpected);
        Assert.Equal(
            (CapInPurchases, Buyers - CapInPurchases),
            (finals.Values.Count(s => s == 201), finals.Values.Count(s => s == 409)));
        var audit = await fixture.Ledger.City(programMonth).AuditAsync();
        Assert.True(audit!.Consistent);
        Assert.Equal(CapInPurchases * Scenario.Unit, audit.Mobile.SoldByLedger);
        // Read past the gateway and the grains: every invariant holds, and each buyer answered 201 has its one purchase.
        var ledger = await fixture.Ledger.ReadLedgerAsync(programMonth, StormPolicy());
        Assert.Empty(LedgerAuditor.Audit(ledger));
        Assert.Equal(
            finals.Where(f => f.Value == 201).Select(f => f.Key).Order(StringComparer.Ordinal),
            ledger.Entries.Select(e => e.CitizenId).Order(StringComparer.Ordinal));
        // The crowd was larger than the bound: the gateway closed connections at accept, and they came back.
        Assert.True(await RejectedConnectionsAsync(gateway) > 0, "No connection was closed at accept: the storm did not reach the bound.");
        // Readiness, asked on a new connection each time as a probe does, got an answer throughout on the
        // management port, though the buyers' port was at its bound.
        Assert.NotEmpty(crowd.Readiness);
        Assert.All(crowd.Readiness, poll => Assert.Contains(poll.Status, new[] { 200, 503 }));

        await AssertServesNormallyAsync(gateway, programMonth);
        Assert.InRange(gateway.PeakResidentBytes(), 1, PeakResidentBytesMax);
    }

    // After the storm: a newcomer is told sold out at once, and readiness and the state read say all is well.
    private async Task AssertServesNormallyAsync(GatewayProcess gateway, ProgramMonth programMonth)
    {
        using var client = new HttpClient { BaseAddress = gateway.Url, Timeout = TimeSpan.FromSeconds(30) };
        using var buy = new HttpRequestMessage(HttpMethod.Post, PurchasesPath(programMonth))
        {
            Content = new StringContent("""{"channel":"mobile","amount":10000}""", Encoding.UTF8, "application/json"),
        };
        buy.Headers.Add("Idempotency-Key", Scenario.NewKey());
        buy.Headers.Authorization = new("Bearer", Token(Scenario.NewCitizen()));
        using var late = await client.SendAsync(buy);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("sold-out", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var state = await client.GetFromJsonAsync<JsonElement>(GatewayRequests.PathOf(programMonth));
        Assert.Equal(0, state.GetProperty("channels").GetProperty("mobile").GetProperty("remaining").GetInt64());
        using var management = new HttpClient { BaseAddress = gateway.ManagementUrl, Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await management.GetAsync(GatewayRequests.PathOf(programMonth))).StatusCode);
    }

    private static async Task<long> RejectedConnectionsAsync(GatewayProcess gateway)
    {
        using var management = new HttpClient { BaseAddress = gateway.ManagementUrl, Timeout = TimeSpan.FromSeconds(30) };
        var line = (await management.GetStringAsync("/metrics")).Split('\n')
            .Single(l => l.StartsWith("ledger_gateway_connections_rejected_total", StringComparison.Ordinal));
        return long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private GatewayProcess StartGateway() =>
        GatewayProcess.Start(
            new Dictionary<string, string>(fixture.ClusterSettings) { ["Ledger__Auth__SigningKey"] = signingKey }, FileLimit, management: true);

    private string Token(string citizen) => LedgerAuth.Mint(
        new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), citizen, [], DateTime.UtcNow, TimeSpan.FromHours(1));

    private static string PurchasesPath(ProgramMonth programMonth) => GatewayRequests.PathOf(programMonth) + "/purchases";
}
