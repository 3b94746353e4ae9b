using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// Requests that name a program-month nobody set a policy for, or a purchase in one, as scrapers and bots send
/// them: answered 404 as before, with nothing activated for them, while a policy just set is seen at once.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class UnknownProgramMonthTests(GatewayFixture fixture)
{
    private const int MadeUpMax = 40;

    private readonly HttpClient admin = fixture.As("operator-u1", LedgerAuth.AdminRole);

    [Fact]
    public async Task Requests_naming_unknown_program_months_or_purchases_activate_no_grain()
    {
        var citizenId = $"c{Guid.NewGuid():N}"[..20];
        var citizen = fixture.As(citizenId);
        var madeUp = Enumerable.Range(0, MadeUpMax).Select(_ => MadeUp()).ToArray();
        var real = await OpenSaleAsync();

        var answers = new List<HttpStatusCode>();
        foreach (var programMonth in madeUp)
        {
            var path = GatewayRequests.PathOf(programMonth);
            var purchaseId = PurchaseIds.Format(programMonth, 1);
            answers.Add((await fixture.Anonymous().GetAsync(path)).StatusCode);
            answers.Add((await GatewayRequests.BuyAsync(citizen, path, "k1", new { channel = "mobile", amount = 10_000 })).StatusCode);
            answers.Add((await citizen.GetAsync($"/purchases/{purchaseId}")).StatusCode);
            answers.Add((await citizen.PostAsync($"/purchases/{purchaseId}/cancel", null)).StatusCode);
            answers.Add((await citizen.GetAsync($"/citizens/me{path}")).StatusCode);
            foreach (var read in new[] { "/ledger", "/audit", "/reconciliation", "/policy-history" })
            {
                answers.Add((await admin.GetAsync(path + read)).StatusCode);
            }
        }

        var unknownInReal = await citizen.GetAsync($"/purchases/{PurchaseIds.Format(real, 999_999)}");
        var metrics = await fixture.Anonymous().GetStringAsync("/metrics");

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.NotFound, status));
        Assert.Equal(HttpStatusCode.NotFound, unknownInReal.StatusCode);
        var management = fixture.Ledger.Grains.GetGrain<IManagementGrain>(0);
        foreach (var type in new[] { LedgerGrains.CityMonthGrainType, LedgerGrains.WaitingRoomGrainType })
        {
            var active = (await management.GetActiveGrains(GrainType.Create(type))).ToHashSet();
            Assert.DoesNotContain(madeUp, programMonth => active.Contains(GrainId.Create(type, programMonth.Key)));
        }

        Assert.DoesNotContain(
            GrainId.Create(LedgerGrains.CitizenGrainType, citizenId),
            await management.GetActiveGrains(GrainType.Create(LedgerGrains.CitizenGrainType)));
        Assert.DoesNotContain(madeUp, programMonth => metrics.Contains(programMonth.ProgramId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_program_months_and_purchases_are_answered_with_the_same_problem_details_as_before()
    {
        var programMonth = MadeUp();
        var path = GatewayRequests.PathOf(programMonth);
        var purchaseId = PurchaseIds.Format(programMonth, 1);
        var citizen = fixture.As("citizen-u2");
        var noPolicy = $"No policy is set for {programMonth.ProgramId}/{programMonth.Month}.";

        (HttpResponseMessage Response, string Detail)[] answers =
        [
            (await fixture.Anonymous().GetAsync(path), noPolicy),
            (await GatewayRequests.BuyAsync(citizen, path, "k1", new { channel = "mobile", amount = 10_000 }),
                "No policy is set for this program-month."),
            (await citizen.GetAsync($"/purchases/{purchaseId}"), "No such purchase."),
            (await admin.GetAsync($"/purchases/{purchaseId}"), "No such purchase."),
            (await citizen.PostAsync($"/purchases/{purchaseId}/cancel", null), "No such purchase."),
            (await citizen.GetAsync($"/citizens/me{path}"), noPolicy),
            (await admin.GetAsync($"{path}/ledger?after=0&limit=10"), noPolicy),
            (await admin.GetAsync($"{path}/audit"), noPolicy),
            (await admin.GetAsync($"{path}/reconciliation"), noPolicy),
            (await admin.GetAsync($"{path}/policy-history"), noPolicy),
        ];
        var malformed = await admin.GetAsync($"{path}/ledger?after=x");

        foreach (var (response, detail) in answers)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(
                ["code", "detail", "status", "title", "traceId", "type"],
                problem.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(
                ("urn:ledger:problem:not-found", "Not found", 404, detail, "not-found"),
                (problem.GetProperty("type").GetString(), problem.GetProperty("title").GetString(),
                 problem.GetProperty("status").GetInt32(), problem.GetProperty("detail").GetString(), problem.GetProperty("code").GetString()));
        }

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.True((await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("after", out _));
    }

    [Fact]
    public async Task A_policy_set_through_one_gateway_is_seen_at_once_by_another_that_had_just_been_told_404()
    {
        await using var other = fixture.Joined<Program>();
        var otherAdmin = Authorized(other.CreateClient(), fixture.Token("operator-u3", [LedgerAuth.AdminRole]));
        var buyer = Authorized(other.CreateClient(), fixture.Token("citizen-u3", []));
        var programMonth = new ProgramMonth($"u{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(fixture.Ledger.Clock.GetUtcNow()));
        var path = GatewayRequests.PathOf(programMonth);
        var before = await other.CreateClient().GetAsync(path);
        var beforeBuy = await GatewayRequests.BuyAsync(buyer, path, "k0", new { channel = "mobile", amount = 10_000 });
        var beforeMonth = await buyer.GetAsync($"/citizens/me{path}");

        var put = await admin.PutAsJsonAsync(path, GatewayRequests.Policy(fixture.Ledger.Clock.GetUtcNow().AddMinutes(-1)));
        var state = await other.CreateClient().GetAsync(path);
        var bought = await GatewayRequests.BuyAsync(buyer, path, "k1", new { channel = "mobile", amount = 10_000 });
        var purchaseId = (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purchaseId").GetString();
        var read = await buyer.GetAsync($"/purchases/{purchaseId}");
        var month = await buyer.GetAsync($"/citizens/me{path}");
        var history = await otherAdmin.GetAsync($"{path}/policy-history");
        // A gateway started after the policy was set (a restarted one) knows nothing of it from memory.
        await using var restarted = fixture.Joined<Program>();
        var stateAfterRestart = await restarted.CreateClient().GetAsync(path);

        Assert.Equal(
            [HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound],
            [before.StatusCode, beforeBuy.StatusCode, beforeMonth.StatusCode]);
        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK,
             HttpStatusCode.OK],
            [put.StatusCode, state.StatusCode, bought.StatusCode, read.StatusCode, month.StatusCode, history.StatusCode,
             stateAfterRestart.StatusCode]);
        Assert.Equal(10_000, (await month.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("used").GetInt64());
    }

    private ProgramMonth MadeUp() =>
        new($"u{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(fixture.Ledger.Clock.GetUtcNow()));

    private async Task<ProgramMonth> OpenSaleAsync()
    {
        var programMonth = MadeUp();
        var put = await admin.PutAsJsonAsync(
            GatewayRequests.PathOf(programMonth), GatewayRequests.Policy(fixture.Ledger.Clock.GetUtcNow().AddMinutes(-1)));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return programMonth;
    }

    private static HttpClient Authorized(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
