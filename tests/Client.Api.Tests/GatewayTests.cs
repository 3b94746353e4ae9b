using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;

namespace Ledger.Client.Api.Tests;

[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class GatewayTests(GatewayFixture fixture)
{
    private readonly HttpClient admin = fixture.As("operator-1", LedgerAuth.AdminRole);

    [Fact]
    public async Task Admin_sets_a_policy_and_anyone_reads_the_live_state()
    {
        var (path, opensAt) = NewSale();

        var put = await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var state = await fixture.Anonymous().GetFromJsonAsync<JsonElement>(path);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(1_000, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("discountBps").GetInt32());
        Assert.Equal("open", state.GetProperty("status").GetString());
        var mobile = state.GetProperty("channels").GetProperty("mobile");
        Assert.Equal((1_000_000L, 0L, 1_000_000L, "open"),
            (mobile.GetProperty("cap").GetInt64(), mobile.GetProperty("sold").GetInt64(),
             mobile.GetProperty("remaining").GetInt64(), mobile.GetProperty("status").GetString()));
        Assert.Equal(500_000, state.GetProperty("caps").GetProperty("paper").GetInt64());
    }

    [Fact]
    public async Task A_citizen_buys_and_a_double_tap_gets_the_first_answer_again()
    {
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var citizen = fixture.As("citizen-a1");

        var first = await BuyAsync(citizen, path, "tap-1", new { channel = "mobile", amount = 200_000 });
        var again = await BuyAsync(citizen, path, "tap-1", new { channel = "mobile", amount = 200_000 });
        var other = await BuyAsync(citizen, path, "tap-1", new { channel = "mobile", amount = 100_000 });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/purchases/{body.GetProperty("purchaseId").GetString()}", first.Headers.Location!.OriginalString);
        Assert.Equal(("citizen-a1", "mobile", 200_000L, 180_000L, "confirmed", 1L),
            (body.GetProperty("citizenId").GetString(), body.GetProperty("channel").GetString(),
             body.GetProperty("amount").GetInt64(), body.GetProperty("price").GetInt64(),
             body.GetProperty("status").GetString(), body.GetProperty("sequence").GetInt64()));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(body.GetProperty("purchaseId").GetString(),
            (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purchaseId").GetString());
        await AssertProblemAsync(other, HttpStatusCode.UnprocessableEntity, "idempotency-conflict");
        Assert.Equal(200_000, (await StateAsync(path)).GetProperty("channels").GetProperty("mobile").GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task Business_rejections_are_409_with_their_code_and_figures()
    {
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt, mobileCap: 250_000));
        var citizen = fixture.As("citizen-b1");
        await BuyAsync(citizen, path, "k1", new { channel = "mobile", amount = 200_000 });

        var overLimit = await BuyAsync(citizen, path, "k2", new { channel = "mobile", amount = 10_000 });
        var soldOut = await BuyAsync(fixture.As("citizen-b2"), path, "k1", new { channel = "mobile", amount = 100_000 });
        var (laterPath, laterOpensAt) = NewSale(opensIn: TimeSpan.FromHours(1));
        await admin.PutAsJsonAsync(laterPath, GatewayRequests.Policy(laterOpensAt));
        var notOpen = await BuyAsync(citizen, laterPath, "k1", new { channel = "mobile", amount = 10_000 });

        Assert.Equal(0, (await AssertProblemAsync(overLimit, HttpStatusCode.Conflict, "limit-exceeded")).GetProperty("remaining").GetInt64());
        Assert.Equal(50_000, (await AssertProblemAsync(soldOut, HttpStatusCode.Conflict, "sold-out")).GetProperty("remaining").GetInt64());
        var opens = (await AssertProblemAsync(notOpen, HttpStatusCode.Conflict, "not-open")).GetProperty("opensAt").GetDateTimeOffset();
        Assert.Equal(laterOpensAt, opens);
    }

    [Fact]
    public async Task Bad_input_is_refused_at_the_edge_naming_the_field_and_changes_nothing()
    {
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var citizen = fixture.As("citizen-c1");

        var noKey = await citizen.PostAsJsonAsync(path + "/purchases", new { channel = "mobile", amount = 10_000 });
        var zero = await BuyAsync(citizen, path, "k", new { channel = "mobile", amount = 0 });
        var channel = await BuyAsync(citizen, path, "k", new { channel = "bitcoin", amount = 10_000 });
        var offUnit = await BuyAsync(citizen, path, "k", new { channel = "mobile", amount = 15_000 });
        var month = await BuyAsync(citizen, path.Replace("/months/", "/months/x", StringComparison.Ordinal), "k", new { channel = "mobile", amount = 10_000 });
        var malformed = await citizen.SendAsync(Post(path + "/purchases", "k", "{\"channel\":", "application/json"));
        var huge = await citizen.SendAsync(Post(path + "/purchases", "k", new string(' ', Program.BodyBytesMax + 1), "application/json"));
        var policy = await admin.PutAsJsonAsync(path, new { discountBps = 1_000 });

        Assert.True((await AssertInvalidAsync(noKey)).TryGetProperty("Idempotency-Key", out _));
        Assert.True((await AssertInvalidAsync(zero)).TryGetProperty("amount", out _));
        Assert.True((await AssertInvalidAsync(channel)).TryGetProperty("channel", out _));
        Assert.True((await AssertInvalidAsync(offUnit)).TryGetProperty("amount", out _));
        Assert.True((await AssertInvalidAsync(month)).TryGetProperty("month", out _));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        var policyErrors = await AssertInvalidAsync(policy);
        Assert.True(policyErrors.TryGetProperty("opensAt", out _) && policyErrors.TryGetProperty("caps.mobile", out _));
        Assert.Equal(0, (await StateAsync(path)).GetProperty("channels").GetProperty("mobile").GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task Tokens_that_are_missing_forged_expired_or_for_another_audience_get_401_and_wrong_roles_403()
    {
        var (path, opensAt) = NewSale();
        var body = new { channel = "mobile", amount = 10_000 };
        var forged = fixture.Token("citizen-d1", []) + "x";
        var expired = fixture.Token("citizen-d1", [], DateTime.UtcNow.AddHours(-2), TimeSpan.FromHours(1));
        // Lifetimes are capped (24 hours by default): a token for a year, or for 9999, is refused.
        var forAYear = fixture.Token("citizen-d1", [], DateTime.UtcNow, TimeSpan.FromDays(365));
        var forAFullDay = fixture.Token("citizen-d1", [], DateTime.UtcNow, TimeSpan.FromHours(23.9));
        var otherAudience = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(
            new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
            {
                Issuer = LedgerAuth.Issuer,
                Audience = "someone-else",
                Claims = new Dictionary<string, object> { ["sub"] = "citizen-d1" },
                SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                    new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Encoding.UTF8.GetBytes("ledger-development-signing-key-do-not-use-in-production")),
                    Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
            });

        Assert.Equal(HttpStatusCode.Unauthorized, (await BuyAsync(fixture.Anonymous(), path, "k", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await BuyAsync(fixture.WithToken(forged), path, "k", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await BuyAsync(fixture.WithToken(expired), path, "k", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await BuyAsync(fixture.WithToken(otherAudience), path, "k", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await BuyAsync(fixture.WithToken(forAYear), path, "k", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await BuyAsync(fixture.WithToken(forAFullDay), path, "k", body)).StatusCode);
        var forbidden = await fixture.As("citizen-d1").PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var unauthorized = await BuyAsync(fixture.Anonymous(), path, "k", body);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/problem+json", unauthorized.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await unauthorized.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Anonymous().GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Tellers_sell_paper_for_a_citizen_and_citizens_see_only_their_own_purchases()
    {
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var teller = fixture.As("teller-1", LedgerAuth.TellerRole);

        var sold = await BuyAsync(teller, path, "counter-1", new { channel = "paper", amount = 50_000, citizenId = "citizen-e1" });
        var citizenPaper = await BuyAsync(fixture.As("citizen-e2"), path, "k", new { channel = "paper", amount = 10_000 });
        var id = (await sold.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purchaseId").GetString();

        Assert.Equal(HttpStatusCode.Created, sold.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, citizenPaper.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.As("citizen-e1").GetAsync($"/purchases/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/purchases/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.As("citizen-e2").GetAsync($"/purchases/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.As("citizen-e2").PostAsync($"/purchases/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task A_tellers_key_buys_once_whichever_citizen_it_names()
    {
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var teller = fixture.As("teller-k1", LedgerAuth.TellerRole);
        var body = new { channel = "paper", amount = 50_000, citizenId = "citizen-k1" };

        var sold = await BuyAsync(teller, path, "counter-k", body);
        var again = await BuyAsync(teller, path, "counter-k", body);
        var otherCitizen = await BuyAsync(teller, path, "counter-k", body with { citizenId = "citizen-k2" });
        var otherTeller = await BuyAsync(
            fixture.As("teller-k2", LedgerAuth.TellerRole), path, "counter-k", body with { citizenId = "citizen-k2" });

        Assert.Equal(HttpStatusCode.Created, sold.StatusCode);
        Assert.Equal(await sold.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        await AssertProblemAsync(otherCitizen, HttpStatusCode.UnprocessableEntity, "idempotency-conflict");
        Assert.Equal(HttpStatusCode.Created, otherTeller.StatusCode);
        Assert.Equal(100_000, (await StateAsync(path)).GetProperty("channels").GetProperty("paper").GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task A_buyer_cancels_once_and_cancelling_again_gives_the_same_answer()
    {
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var citizen = fixture.As("citizen-f1");
        var bought = await BuyAsync(citizen, path, "k", new { channel = "mobile", amount = 100_000 });
        var id = (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purchaseId").GetString();

        var first = await citizen.PostAsync($"/purchases/{id}/cancel", null);
        var again = await citizen.PostAsync($"/purchases/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("cancelled", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(0, (await StateAsync(path)).GetProperty("channels").GetProperty("mobile").GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task A_cap_below_what_is_sold_is_409_and_unknown_purchases_are_404()
    {
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        await BuyAsync(fixture.As("citizen-m1"), path, "k", new { channel = "mobile", amount = 200_000 });

        var lowered = await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt, mobileCap: 100_000));
        var unknown = await admin.GetAsync("/purchases/nowhere.2022-12.1");
        var malformed = await admin.GetAsync("/purchases/not-an-id");
        var cancelUnknown = await admin.PostAsync("/purchases/nowhere.2022-12.1/cancel", null);

        var problem = await AssertProblemAsync(lowered, HttpStatusCode.Conflict, "cap-below-sold");
        Assert.Equal(("mobile", 200_000L), (problem.GetProperty("channel").GetString(), problem.GetProperty("sold").GetInt64()));
        Assert.Equal(1_000_000, (await StateAsync(path)).GetProperty("caps").GetProperty("mobile").GetInt64());
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(malformed, HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(cancelUnknown, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Tellers_sell_only_paper_for_a_named_citizen_and_negative_amounts_are_refused()
    {
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var teller = fixture.As("teller-2", LedgerAuth.TellerRole);

        var mobile = await BuyAsync(teller, path, "k1", new { channel = "mobile", amount = 10_000, citizenId = "citizen-n1" });
        var nobody = await BuyAsync(teller, path, "k2", new { channel = "paper", amount = 10_000 });
        var negative = await BuyAsync(teller, path, "k3", new { channel = "paper", amount = -10_000, citizenId = "citizen-n1" });
        // A teller's key is scoped by the teller's id, so a token whose subject is not one sells nothing.
        var unnamed = await BuyAsync(
            fixture.As("teller two", LedgerAuth.TellerRole), path, "k4", new { channel = "paper", amount = 10_000, citizenId = "citizen-n1" });

        Assert.Equal(HttpStatusCode.Forbidden, mobile.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, nobody.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unnamed.StatusCode);
        Assert.True((await AssertInvalidAsync(negative)).TryGetProperty("amount", out _));
        var paper = (await StateAsync(path)).GetProperty("channels").GetProperty("paper");
        Assert.Equal(0, paper.GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task Ids_with_a_trailing_newline_are_refused()
    {
        // .NET's "$" also matches before a final newline; every id pattern must end at the string's end.
        var (path, opensAt) = NewSale();
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var teller = fixture.As("teller-nl", LedgerAuth.TellerRole);

        var citizen = await BuyAsync(teller, path, "k1", new { channel = "paper", amount = 10_000, citizenId = "citizen-nl\n" });
        var program = await admin.GetAsync(path.Replace("/months/", "%0A/months/", StringComparison.Ordinal));
        var month = await admin.GetAsync(path + "%0A");

        Assert.True((await AssertInvalidAsync(citizen)).TryGetProperty("citizenId", out _));
        Assert.True((await AssertInvalidAsync(program)).TryGetProperty("programId", out _));
        Assert.True((await AssertInvalidAsync(month)).TryGetProperty("month", out _));
        Assert.Equal(0, (await StateAsync(path)).GetProperty("channels").GetProperty("paper").GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task A_policy_out_of_range_or_without_an_offset_is_refused_at_the_edge_and_two_keys_are_refused()
    {
        var (path, opensAt) = NewSale();
        var free = await admin.PutAsJsonAsync(path, new
        {
            opensAt, discountBps = 10_000, citizenMonthlyLimit = -1, unit = Scenario.Unit, caps = new { mobile = 1, paper = 1 },
        });
        var local = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = new StringContent(
                "{\"opensAt\":\"2022-12-01T09:00:00\",\"discountBps\":1000,\"citizenMonthlyLimit\":200000,\"unit\":10000," +
                "\"caps\":{\"mobile\":1,\"paper\":1}}", Encoding.UTF8, "application/json"),
        });
        await admin.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var twoKeys = new HttpRequestMessage(HttpMethod.Post, path + "/purchases")
        {
            Content = JsonContent.Create(new { channel = "mobile", amount = 10_000 }),
        };
        twoKeys.Headers.Add("Idempotency-Key", ["a", "b"]);
        var twice = await fixture.As("citizen-p1").SendAsync(twoKeys);

        var freeErrors = await AssertInvalidAsync(free);
        Assert.True(freeErrors.TryGetProperty("discountBps", out _) && freeErrors.TryGetProperty("citizenMonthlyLimit", out _));
        Assert.True((await AssertInvalidAsync(local)).TryGetProperty("opensAt", out _));
        Assert.True((await AssertInvalidAsync(twice)).TryGetProperty("Idempotency-Key", out _));
        Assert.Equal(0, (await StateAsync(path)).GetProperty("channels").GetProperty("mobile").GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task Roles_may_come_as_an_array_and_expiry_allows_at_most_30_seconds_of_skew()
    {
        var (path, opensAt) = NewSale();
        var both = fixture.As("clerk-1", LedgerAuth.AdminRole, LedgerAuth.TellerRole);
        var now = DateTime.UtcNow;
        var justExpired = fixture.Token("citizen-q1", [], now.AddMinutes(-1).AddSeconds(-20), TimeSpan.FromMinutes(1));
        var longExpired = fixture.Token("citizen-q1", [], now.AddMinutes(-2), TimeSpan.FromMinutes(1));

        var put = await both.PutAsJsonAsync(path, GatewayRequests.Policy(opensAt));
        var paper = await BuyAsync(both, path, "k", new { channel = "paper", amount = 10_000, citizenId = "citizen-q1" });
        var withinSkew = await fixture.WithToken(justExpired).GetAsync($"/citizens/me{path}");
        var pastSkew = await fixture.WithToken(longExpired).GetAsync($"/citizens/me{path}");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.Created, paper.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withinSkew.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, pastSkew.StatusCode);
    }

    private (string Path, DateTimeOffset OpensAt) NewSale(TimeSpan? opensIn = null)
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var sale = new ProgramMonth($"g{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(now));
        var opensAt = now.Add(opensIn ?? TimeSpan.FromMinutes(-1)).ToOffset(ProgramMonth.KoreaOffset);
        return (GatewayRequests.PathOf(sale), opensAt);
    }

    private static Task<HttpResponseMessage> BuyAsync(HttpClient client, string path, string key, object body) =>
        GatewayRequests.BuyAsync(client, path, key, body);

    private static HttpRequestMessage Post(string path, string key, string body, string mediaType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private async Task<JsonElement> StateAsync(string path) =>
        await fixture.Anonymous().GetFromJsonAsync<JsonElement>(path);

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>A 400 validation problem; returns its <c>errors</c> by field.</summary>
    private static async Task<JsonElement> AssertInvalidAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }
}
