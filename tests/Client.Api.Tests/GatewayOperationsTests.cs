using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.State;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Client.Api.Tests;

[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class GatewayOperationsTests(GatewayFixture fixture)
{
    private readonly HttpClient admin = fixture.As("operator-2", LedgerAuth.AdminRole);

    [Fact]
    public async Task Admins_page_through_the_ledger_and_audit_it_and_citizens_see_their_month()
    {
        var path = await OpenSaleAsync(mobileCap: 1_000_000);
        var alice = fixture.As("citizen-g1");
        var first = await BuyAsync(alice, path, "k1", 100_000);
        await BuyAsync(fixture.As("citizen-g2"), path, "k1", 50_000);
        await BuyAsync(alice, path, "k2", 30_000);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purchaseId").GetString();
        await alice.PostAsync($"/purchases/{id}/cancel", null);

        var page1 = await admin.GetFromJsonAsync<JsonElement>($"{path}/ledger?limit=2");
        var page2 = await admin.GetFromJsonAsync<JsonElement>($"{path}/ledger?after={page1.GetProperty("next").GetInt64()}&limit=2");
        var audit = await admin.GetFromJsonAsync<JsonElement>($"{path}/audit");
        var month = await alice.GetFromJsonAsync<JsonElement>($"/citizens/me{path}");

        Assert.Equal([1L, 2], page1.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(2, page1.GetProperty("next").GetInt64());
        var cancel = page2.GetProperty("entries")[1];
        Assert.Equal(("cancel", id, "citizen-g1", 100_000L, 90_000L),
            (cancel.GetProperty("kind").GetString(), cancel.GetProperty("purchaseId").GetString(),
             cancel.GetProperty("citizenId").GetString(), cancel.GetProperty("amount").GetInt64(), cancel.GetProperty("price").GetInt64()));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next").ValueKind);
        Assert.True(audit.GetProperty("consistent").GetBoolean());
        Assert.Equal(4, audit.GetProperty("entries").GetInt64());
        Assert.Equal(80_000, audit.GetProperty("channels").GetProperty("mobile").GetProperty("soldByLedger").GetInt64());
        Assert.Equal((200_000L, 30_000L, 170_000L, 2),
            (month.GetProperty("limit").GetInt64(), month.GetProperty("used").GetInt64(),
             month.GetProperty("remaining").GetInt64(), month.GetProperty("purchases").GetArrayLength()));
    }

    [Fact]
    public async Task Ledger_and_audit_are_for_admins_and_bad_paging_names_the_field()
    {
        var path = await OpenSaleAsync(mobileCap: 1_000_000);
        var citizen = fixture.As("citizen-h1");

        Assert.Equal(HttpStatusCode.Forbidden, (await citizen.GetAsync($"{path}/ledger")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await citizen.GetAsync($"{path}/audit")).StatusCode);
        var bad = await admin.GetAsync($"{path}/ledger?after=-1&limit=many");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("after", out _) && errors.TryGetProperty("limit", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/programs/nowhere/months/2022-12/audit")).StatusCode);
    }

    [Fact]
    public async Task Health_openapi_and_the_reference_page_are_served()
    {
        var anyone = fixture.Anonymous();

        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/health/ready")).StatusCode);
        var openApi = await anyone.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/programs/{programId}/months/{month}/purchases", openApi, StringComparison.Ordinal);
        Assert.Contains("/citizens/me/programs/{programId}/months/{month}", openApi, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(openApi);
        var buy = document.RootElement.GetProperty("paths").GetProperty("/programs/{programId}/months/{month}/purchases")
            .GetProperty("post").GetProperty("responses");
        Assert.Equal(
            ["201", "202", "400", "401", "402", "403", "404", "409", "413", "415", "422", "429", "503"], buy.EnumerateObject().Select(r => r.Name).Order());
        Assert.Contains("href=\"/scalar/v1\"", await anyone.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/scalar/v1")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_is_valid_requires_the_idempotency_key_and_names_the_bearer_token()
    {
        var text = await fixture.Anonymous().GetStringAsync("/openapi/v1.json");
        var parsed = Microsoft.OpenApi.OpenApiDocument.Parse(text, "json");
        using var document = JsonDocument.Parse(text);
        var paths = document.RootElement.GetProperty("paths");
        var months = paths.GetProperty("/programs/{programId}/months/{month}");
        var buy = paths.GetProperty("/programs/{programId}/months/{month}/purchases").GetProperty("post");

        var key = buy.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.Equal(("header", true), (key.GetProperty("in").GetString(), key.GetProperty("required").GetBoolean()));
        Assert.Equal((1, 128), (key.GetProperty("schema").GetProperty("minLength").GetInt32(), key.GetProperty("schema").GetProperty("maxLength").GetInt32()));
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.True(buy.GetProperty("security")[0].TryGetProperty("bearer", out _));
        Assert.True(months.GetProperty("put").GetProperty("security")[0].TryGetProperty("bearer", out _));
        // Reading a program-month's state needs no token.
        Assert.False(months.GetProperty("get").TryGetProperty("security", out _));
        // The endpoints that are not route handlers are there too: API.md lists them.
        Assert.All(["/health/live", "/health/ready", "/metrics"], path => Assert.True(paths.TryGetProperty(path, out _), path));
        Assert.Empty(parsed.Diagnostic?.Errors ?? []);
    }

    [Fact]
    public async Task The_reference_is_titled_for_the_voucher_API_with_sections_named_for_resources_and_an_introduction()
    {
        var anyone = fixture.Anonymous();
        using var document = JsonDocument.Parse(await anyone.GetStringAsync("/openapi/v1.json"));
        var reference = await anyone.GetStringAsync("/scalar/v1");

        var info = document.RootElement.GetProperty("info");
        Assert.Equal("Ledger voucher API", info.GetProperty("title").GetString());
        var introduction = info.GetProperty("description").GetString()!;
        Assert.All(["## Authentication", "`./ledger token --sub alice`", "`teller`", "## Errors", "`sold-out`", "Retry-After"],
            part => Assert.Contains(part, introduction, StringComparison.Ordinal));
        string[] sections = ["Programs", "Purchases", "Citizens", "Sales", "Health", "Metrics"];
        Assert.Equal(sections, document.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var used = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject()).SelectMany(o => o.Value.GetProperty("tags").EnumerateArray()).Select(t => t.GetString());
        Assert.Equal(sections.Order(), used.Distinct().Order());
        var bearer = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal(("http", "bearer", "JWT"),
            (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString(), bearer.GetProperty("bearerFormat").GetString()));
        Assert.Contains("<title>Ledger voucher API</title>", reference, StringComparison.Ordinal);
        Assert.All(["\"hideClientButton\":true", "\"showDeveloperTools\":\"never\"", "\"agent\":{\"disabled\":true}", "\"mcp\":{\"disabled\":true}"],
            option => Assert.Contains(option, reference, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_count_purchases_by_outcome_in_prometheus_text()
    {
        var path = await OpenSaleAsync(mobileCap: Scenario.Unit);
        await BuyAsync(fixture.As("citizen-j1"), path, "k", Scenario.Unit);
        await BuyAsync(fixture.As("citizen-j2"), path, "k", Scenario.Unit);

        var response = await fixture.Anonymous().GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("ledger_gateway_purchases_total{otel_scope_name=\"Ledger.Gateway\",outcome=\"Confirmed\"}", text, StringComparison.Ordinal);
        Assert.Contains("outcome=\"SoldOut\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"channel\":\"mobile\",\"amount\":\"lots\"}", "amount")]
    [InlineData("{\"channel\":\"mobile\",\"amount\":\"200000\"}", "amount")]
    [InlineData("{\"channel\":\"mobile\",\"amount\":1e40}", "amount")]
    [InlineData("{\"channel\":\"mobile\",\"amount\":99999999999999999999}", "amount")]
    [InlineData("{\"channel\":7,\"amount\":10000}", "channel")]
    [InlineData("[1,2,3]", "body")]
    // A key twice is refused, not read as its last value: this one would buy 10,000.
    [InlineData("{\"channel\":\"mobile\",\"amount\":-1,\"amount\":10000}", "amount")]
    [InlineData("{\"channel\":\"paper\",\"channel\":\"mobile\",\"amount\":10000}", "channel")]
    public async Task Wrong_types_and_overflowing_amounts_are_400_problems_naming_the_field_and_buy_nothing(string body, string field)
    {
        var path = await OpenSaleAsync(mobileCap: 1_000_000);
        var request = new HttpRequestMessage(HttpMethod.Post, path + "/purchases")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "k");

        var response = await fixture.As("citizen-k1").SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"No error for {field}: {problem}");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        var state = await fixture.Anonymous().GetFromJsonAsync<JsonElement>(path);
        Assert.Equal(0, state.GetProperty("channels").GetProperty("mobile").GetProperty("sold").GetInt64());
    }

    [Fact]
    public async Task A_gateway_at_capacity_answers_503_with_retry_after_at_once()
    {
        var deadline = TimeSpan.FromSeconds(30);
        await using var small = fixture.With(("Ledger:Gateway:RequestsInFlightMax", "1"), ("Ledger:Gateway:QueueMax", "0"));
        small.UseKestrel(0);
        small.StartServer();
        var client = small.CreateClient();
        var path = await OpenSaleAsync(mobileCap: Scenario.Unit);

        // A policy change whose body is still on its way (a slow operator's link) holds the gateway's only slot.
        // (Purchases are not under this limit: their overload answer is the waiting room.) If it arrived while
        // a probe held the slot, it was itself turned away (its answer is waiting): send it again.
        var slow = await SendSlowPolicyChangeAsync(client.BaseAddress!, path);
        HttpResponseMessage response;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            response = await client.GetAsync(path);
            if (response.StatusCode == HttpStatusCode.OK && slow.Available > 0)
            {
                slow.Dispose();
                slow = await SendSlowPolicyChangeAsync(client.BaseAddress!, path);
            }
        }
        while (response.StatusCode == HttpStatusCode.OK && waited.Elapsed < deadline);
        slow.Dispose();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(LedgerResults.RetryAfterSeconds), response.Headers.RetryAfter!.Delta);
        Assert.Equal("unavailable", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_burst_of_purchases_through_the_gateway_sells_exactly_the_cap()
    {
        const int buyers = 400;
        const long cap = 100 * Scenario.Unit;
        var path = await OpenSaleAsync(mobileCap: cap);

        // More at once than the ledger's flow lets in: the rest are queued, and come back with their tickets.
        var responses = await Task.WhenAll(Enumerable.Range(0, buyers).Select(i => GatewayRequests.BuyUntilAnsweredAsync(
            fixture.As($"burst-{i}"), path, "k", new { channel = "mobile", amount = Scenario.Unit })));

        Assert.Equal(100, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(buyers - 100, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var state = await fixture.Anonymous().GetFromJsonAsync<JsonElement>(path);
        Assert.Equal(cap, state.GetProperty("channels").GetProperty("mobile").GetProperty("sold").GetInt64());
        Assert.Equal("sold-out", state.GetProperty("channels").GetProperty("mobile").GetProperty("status").GetString());
        Assert.True((await admin.GetFromJsonAsync<JsonElement>($"{path}/audit")).GetProperty("consistent").GetBoolean());
    }

    [Fact]
    public async Task After_a_sell_out_newcomers_are_refused_without_a_citizen_grain_and_buyers_still_get_their_purchase()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var gateway = fixture.Gateway.WithWebHostBuilder(web => web.ConfigureTestServices(
            services => services.AddSingleton(new SoldOutHints(clock))));
        HttpClient As(string citizen) => Authorized(gateway.CreateClient(), fixture.Token(citizen, []));
        var path = await OpenSaleAsync(mobileCap: Scenario.Unit);
        var (buyer, marker, newcomer, late) =
            ($"citizen-{Guid.NewGuid():N}", $"citizen-{Guid.NewGuid():N}", $"citizen-{Guid.NewGuid():N}", $"citizen-{Guid.NewGuid():N}");
        var bought = await BuyAsync(As(buyer), path, "k", Scenario.Unit);
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);

        // The first sold-out answer comes through the marker's citizen grain and marks the channel.
        Assert.Equal(HttpStatusCode.Conflict, (await BuyAsync(As(marker), path, "k", Scenario.Unit)).StatusCode);
        var refused = await BuyAsync(As(newcomer), path, "k", Scenario.Unit);
        var replay = await BuyAsync(As(buyer), path, "k", Scenario.Unit);
        clock.Advance(SoldOutHints.For);
        var lapsed = await BuyAsync(As(late), path, "k", Scenario.Unit);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("sold-out", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(
            (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purchaseId").GetString(),
            (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purchaseId").GetString());
        Assert.Equal(HttpStatusCode.Conflict, lapsed.StatusCode);
        var active = await fixture.Ledger.Grains.GetGrain<IManagementGrain>(0)
            .GetActiveGrains(GrainType.Create(LedgerGrains.CitizenGrainType));
        Assert.Contains(CitizenGrain(marker), active);
        Assert.Contains(CitizenGrain(late), active);
        Assert.DoesNotContain(CitizenGrain(newcomer), active);
    }

    private static GrainId CitizenGrain(string citizen) => GrainId.Create(LedgerGrains.CitizenGrainType, citizen);

    private static HttpClient Authorized(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Sends a purchase's headers and the first byte of its 40-byte body, and no more.</summary>
    private async Task<System.Net.Sockets.TcpClient> SendSlowPolicyChangeAsync(Uri gateway, string path)
    {
        var slow = new System.Net.Sockets.TcpClient();
        await slow.ConnectAsync(gateway.Host, gateway.Port);
        var head = $"PUT {path} HTTP/1.1\r\nHost: {gateway.Authority}\r\n" +
            $"Authorization: Bearer {fixture.Token("operator-i1", [LedgerAuth.AdminRole])}\r\n" +
            "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{";
        await slow.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        return slow;
    }

    private async Task<string> OpenSaleAsync(long mobileCap)
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var path = $"/programs/{$"o{Guid.NewGuid():N}"[..20]}/months/{ProgramMonth.MonthOf(now)}";
        var put = await admin.PutAsJsonAsync(path, new
        {
            opensAt = now.AddMinutes(-1),
            discountBps = 1_000,
            citizenMonthlyLimit = Scenario.Limit,
            unit = Scenario.Unit,
            caps = new { mobile = mobileCap, paper = 0L },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return path;
    }

    private static Task<HttpResponseMessage> BuyAsync(HttpClient client, string path, string key, long amount) =>
        GatewayRequests.BuyAsync(client, path, key, new { channel = "mobile", amount });
}
