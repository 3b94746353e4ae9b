using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The 09:00 storm against the real gateway process on a lowered file limit: more buyers at once, each on a new
/// connection, than the process has file handles. The gateway must live, never answer 500, sell exactly the cap,
/// answer everyone, serve normally afterwards, and never say ready while purchases fail.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", "Storm")]
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
        await using var gateway = StartGateway();
        await gateway.LineAsync(GatewayProcess.ListeningLine);

        // The crowd arrives the moment the gateway listens: before it has warmed or served anyone.
        await StormAsync(gateway);
    }

    [Fact]
    public async Task A_gateway_that_has_served_purchases_stands_in_the_storm_and_sells_exactly_the_cap()
    {
        await using var gateway = StartGateway();
        await gateway.LineAsync(GatewayProcess.WarmLine);
        var before = await fixture.Ledger.OpenSaleAsync(Scenario.OpenPolicy(fixture.Ledger, mobileCap: 400 * Scenario.Unit));
        var earlier = new StormCrowd(gateway.Url, PurchasesPath(before), Token);
        var served = await earlier.RunAsync(Enumerable.Range(0, 200).Select(_ => Scenario.NewCitizen()).ToArray());
        Assert.All(served.Values, status => Assert.Equal(201, status));

        await StormAsync(gateway);
    }

    private async Task StormAsync(GatewayProcess gateway)
    {
        var programMonth = await fixture.Ledger.OpenSaleAsync(
            Scenario.OpenPolicy(fixture.Ledger, mobileCap: CapInPurchases * Scenario.Unit));
        var crowd = new StormCrowd(gateway.Url, PurchasesPath(programMonth), Token);
        var citizens = Enumerable.Range(0, Buyers).Select(_ => Scenario.NewCitizen()).ToArray();

        var finals = await crowd.RunAsync(citizens);

        Assert.False(gateway.HasExited, string.Join('\n', gateway.Output.TakeLast(40)));
        Assert.Empty(crowd.Unexpected);
        Assert.Equal(0, crowd.ReadyWhilePurchasesFailed());
        Assert.Equal(
            (CapInPurchases, Buyers - CapInPurchases),
            (finals.Values.Count(s => s == 201), finals.Values.Count(s => s == 409)));
        var audit = await fixture.Ledger.City(programMonth).AuditAsync();
        Assert.True(audit!.Consistent);
        Assert.Equal(CapInPurchases * Scenario.Unit, audit.Mobile.SoldByLedger);
        // The crowd was larger than the bound: some connections were closed at accept, and came back.
        Assert.True(crowd.ConnectFailures > 0, "No connection was refused: the storm did not reach the connection bound.");
        var warmAt = await gateway.LineAsync(GatewayProcess.WarmLine);
        var readySince = crowd.Readiness.Where(r => r.Ready).Select(r => r.At).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        Assert.True(readySince >= warmAt - gateway.Elapsed + crowd.Elapsed,
            $"Ready at {readySince} of the storm, before the gateway was warm ({warmAt} after its start).");

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
        var state = await client.GetFromJsonAsync<JsonElement>($"/programs/{programMonth.ProgramId}/months/{programMonth.Month}");
        Assert.Equal(0, state.GetProperty("channels").GetProperty("mobile").GetProperty("remaining").GetInt64());
    }

    private GatewayProcess StartGateway() =>
        GatewayProcess.Start(new Dictionary<string, string>(fixture.ClusterSettings) { ["Ledger__Auth__SigningKey"] = signingKey }, FileLimit);

    private string Token(string citizen) => LedgerAuth.Mint(
        new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), citizen, [], DateTime.UtcNow, TimeSpan.FromHours(1));

    private static string PurchasesPath(ProgramMonth programMonth) => $"/programs/{programMonth.ProgramId}/months/{programMonth.Month}/purchases";
}
