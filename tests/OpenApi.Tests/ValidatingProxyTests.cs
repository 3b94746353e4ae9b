using System.Net;
using System.Text;
using Ledger.Client.Api;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.OpenApi.Tests;

/// <summary>
/// The README's walkthrough and the gateway's error paths through Stoplight's validating proxy (prism), which holds
/// every request and every answer to the OpenAPI document the gateway serves: none may break it. Requests the
/// document forbids go through the lenient proxy, which must find them wrong while the gateway's refusal is right.
/// </summary>
[Collection(OpenApiCollection.Name)]
[Trait("Category", TestCategories.Process)]
public sealed class ValidatingProxyTests(OpenApiFixture fixture)
{
    private const long Unit = 10_000;
    private readonly string admin = fixture.Gateway.Token("ops", [LedgerAuth.AdminRole]);
    private readonly string teller = fixture.Gateway.Token("bank-1", [LedgerAuth.TellerRole]);

    private DateTimeOffset Now => fixture.Gateway.Ledger.Clock.GetUtcNow();

    [Fact]
    public async Task The_walkthrough_without_payment_breaks_nothing_in_the_document()
    {
        var path = NewPath();
        var alice = Citizen();

        (await SendAsync("set the policy", HttpMethod.Put, path, admin, Policy(Now.AddMinutes(-1)))).Passes(HttpStatusCode.OK);
        var bought = (await BuyAsync("buy", path, alice, "tap-1", 200_000)).Passes(HttpStatusCode.Created);
        var again = (await BuyAsync("the double tap", path, alice, "tap-1", 200_000)).Passes(HttpStatusCode.Created);
        var over = (await BuyAsync("over the limit", path, alice, "tap-2", Unit)).Passes(HttpStatusCode.Conflict);
        var id = bought.Text("purchaseId");
        (await SendAsync("read the purchase", HttpMethod.Get, $"/purchases/{id}", alice)).Passes(HttpStatusCode.OK);
        var cancelled = (await SendAsync("cancel", HttpMethod.Post, $"/purchases/{id}/cancel", alice)).Passes(HttpStatusCode.OK);
        (await SendAsync("cancel again", HttpMethod.Post, $"/purchases/{id}/cancel", alice)).Passes(HttpStatusCode.OK);
        var paper = new { channel = "paper", amount = Unit, citizenId = "walk-paper-buyer" };
        (await SendAsync("a teller sells paper", HttpMethod.Post, $"{path}/purchases", teller, paper, ("Idempotency-Key", "counter-1")))
            .Passes(HttpStatusCode.Created);
        (await SendAsync("read the ledger", HttpMethod.Get, $"{path}/ledger?after=0", admin)).Passes(HttpStatusCode.OK);
        var page = (await SendAsync("a page of one", HttpMethod.Get, $"{path}/ledger?after=1&limit=1", admin)).Passes(HttpStatusCode.OK);
        (await SendAsync("the live state", HttpMethod.Get, path)).Passes(HttpStatusCode.OK);
        (await SendAsync("audit", HttpMethod.Get, $"{path}/audit", admin)).Passes(HttpStatusCode.OK);
        (await SendAsync("policy history", HttpMethod.Get, $"{path}/policy-history", admin)).Passes(HttpStatusCode.OK);
        (await SendAsync("reconciliation", HttpMethod.Get, $"{path}/reconciliation", admin)).Passes(HttpStatusCode.OK);
        (await SendAsync("my month", HttpMethod.Get, $"/citizens/me{path}", alice)).Passes(HttpStatusCode.OK);
        (await SendAsync("the sales feed", HttpMethod.Get, "/sales/feed")).Passes(HttpStatusCode.OK);
        (await SendAsync("the sales page", HttpMethod.Get, $"/sales?program={path.Split('/')[2]}")).Passes(HttpStatusCode.OK);
        var buyPage = "/buy" + path.Replace("/programs", "", StringComparison.Ordinal).Replace("/months", "", StringComparison.Ordinal);
        (await SendAsync("the buy page", HttpMethod.Get, buyPage)).Passes(HttpStatusCode.OK);
        (await SendAsync("liveness", HttpMethod.Get, "/health/live")).Passes(HttpStatusCode.OK);
        (await SendAsync("readiness", HttpMethod.Get, "/health/ready")).Passes(HttpStatusCode.OK);
        (await SendAsync("metrics", HttpMethod.Get, "/metrics")).Passes(HttpStatusCode.OK);

        Assert.Equal(id, again.Text("purchaseId"));
        Assert.Equal(("limit-exceeded", 0), (over.Text("code"), over.Body.GetProperty("remaining").GetInt64()));
        Assert.Equal("cancelled", cancelled.Text("status"));
        Assert.Equal(2, page.Body.GetProperty("next").GetInt64());
    }

    [Fact]
    public async Task The_walkthrough_with_payment_breaks_nothing_in_the_document()
    {
        var path = NewPath();
        var bob = Citizen();
        var bank = fixture.Gateway.Sandbox;
        try
        {
            (await SendAsync("set a paid policy", HttpMethod.Put, path, admin, Policy(Now.AddMinutes(-1), payment: "account")))
                .Passes(HttpStatusCode.OK);
            var paid = (await BuyAsync("pay", path, bob, "pay-1", 100_000)).Passes(HttpStatusCode.Created);
            await bank.SetFaultsAsync(new { declineRate = 1.0 });
            var declined = (await BuyAsync("declined", path, bob, "pay-2", 50_000)).Passes(HttpStatusCode.PaymentRequired);
            await bank.SetFaultsAsync(new { });
            (await BuyAsync("declined again", path, bob, "pay-2", 50_000)).Passes(HttpStatusCode.PaymentRequired);
            (await SendAsync("reconciliation", HttpMethod.Get, $"{path}/reconciliation", admin)).Passes(HttpStatusCode.OK);

            // No word from the provider: 202 pending until it is back, and a pending purchase is not cancelled.
            await bank.SetFaultsAsync(new { down = true });
            var pending = (await BuyAsync("pending", path, bob, "pay-3", Unit)).Passes(HttpStatusCode.Accepted);
            var pendingId = pending.Text("purchaseId");
            var early = (await SendAsync("cancel while pending", HttpMethod.Post, $"/purchases/{pendingId}/cancel", bob))
                .Passes(HttpStatusCode.Conflict);
            (await SendAsync("reconciliation without the provider", HttpMethod.Get, $"{path}/reconciliation", admin))
                .Passes(HttpStatusCode.ServiceUnavailable);
            await bank.SetFaultsAsync(new { });
            await UntilAsync("the pending purchase", $"/purchases/{pendingId}", bob, "status", "confirmed");

            // A refund while the provider is down stays pending, then is done.
            await bank.SetFaultsAsync(new { down = true });
            var refunding = (await SendAsync("cancel a paid purchase", HttpMethod.Post, $"/purchases/{paid.Text("purchaseId")}/cancel", bob))
                .Passes(HttpStatusCode.OK);
            await bank.SetFaultsAsync(new { });
            await UntilAsync("the refund", $"/purchases/{paid.Text("purchaseId")}", bob, "refund", "done");

            Assert.Equal(("payment-declined", "confirmed"), (declined.Text("code"), paid.Text("status")));
            Assert.Equal(("pending", "payment-pending"), (pending.Text("status"), early.Text("code")));
            Assert.Equal(("cancelled", "pending"), (refunding.Text("status"), refunding.Text("refund")));
        }
        finally
        {
            await bank.SetFaultsAsync(new { });
        }
    }

    [Fact]
    public async Task Every_refusal_of_a_request_the_document_allows_is_as_the_document_says()
    {
        var path = NewPath();
        var carol = Citizen();
        (await SendAsync("set the policy", HttpMethod.Put, path, admin, Policy(Now.AddMinutes(-1), mobileCap: 3 * Unit))).Passes(HttpStatusCode.OK);
        var bought = (await BuyAsync("buy", path, carol, "k-1", 2 * Unit)).Passes(HttpStatusCode.Created);

        var refusals = new List<(Exchange Exchange, HttpStatusCode Status, string? Code)>
        {
            (await BuyAsync("not a multiple of the unit", path, carol, "k-2", Unit + 1), HttpStatusCode.BadRequest, null),
            (await SendAsync("a policy after its month", HttpMethod.Put, path, admin, Policy(Now.AddMonths(2))), HttpStatusCode.BadRequest, null),
            (await SendAsync("a forged token", HttpMethod.Get, $"{path}/audit", Forged()), HttpStatusCode.Unauthorized, null),
            (await SendAsync("a citizen reads the ledger", HttpMethod.Get, $"{path}/ledger", carol), HttpStatusCode.Forbidden, null),
            (await BuyAsync("a citizen buys paper", path, carol, "k-3", Unit, "paper"), HttpStatusCode.Forbidden, null),
            (await SendAsync("no such sale", HttpMethod.Get, NewPath()), HttpStatusCode.NotFound, "not-found"),
            (await SendAsync("no such purchase", HttpMethod.Get, $"/purchases/{bought.Text("purchaseId")}0", carol), HttpStatusCode.NotFound, "not-found"),
            (await BuyAsync("the same key, another body", path, carol, "k-1", Unit), HttpStatusCode.UnprocessableEntity, "idempotency-conflict"),
            (await BuyAsync("sold out", path, Citizen(), "k-4", 2 * Unit), HttpStatusCode.Conflict, "sold-out"),
            (await SendAsync("a cap below what is sold", HttpMethod.Put, path, admin, Policy(Now.AddMinutes(-1), mobileCap: 0, confirm: true)),
                HttpStatusCode.Conflict, "cap-below-sold"),
            (await SendAsync("a limit below what is used", HttpMethod.Put, path, admin, Policy(Now.AddMinutes(-1), mobileCap: 3 * Unit, limit: Unit)),
                HttpStatusCode.Conflict, "limit-below-used"),
            (await SendAsync("every cap zero", HttpMethod.Put, NewPath(), admin, Policy(Now.AddMinutes(-1), mobileCap: 0, paperCap: 0)),
                HttpStatusCode.Conflict, "confirm-required"),
            (await SendAsync("a body over 16 KiB", HttpMethod.Post, $"{path}/purchases", carol,
                new { channel = "mobile", amount = Unit, note = new string('x', 17_000) }, ("Idempotency-Key", "k-5")),
                HttpStatusCode.RequestEntityTooLarge, "too-large"),
        };
        // A citizen reading in a loop is past their share (ClientFairness) long before these are answered.
        var dave = Citizen();
        var loop = await Task.WhenAll(Enumerable.Range(0, 4 * ClientFairness.CitizenBurstDefault)
            .Select(_ => SendAsync("a citizen reading in a loop", HttpMethod.Get, path, dave)));
        var tooMany = loop.FirstOrDefault(e => e.Status == HttpStatusCode.TooManyRequests);
        Assert.True(tooMany is not null, "No read of the loop was refused 429.");
        refusals.Add((tooMany, HttpStatusCode.TooManyRequests, "too-many-requests"));
        refusals.Add((await BuyAsync("not open yet", await OpenedAsync(Now.AddHours(1)), carol, "k-6", Unit), HttpStatusCode.Conflict, "not-open"));
        refusals.Add((await BuyAsync("in the pre-queue", await OpenedAsync(Now.AddMinutes(5), preQueueMinutes: 10), carol, "k-7", Unit),
            HttpStatusCode.TooManyRequests, "queued"));
        var lastMonth = $"/programs/oa-{Guid.NewGuid():N}"[..22] + $"/months/{ProgramMonth.MonthOf(Now.AddMonths(-1))}";
        (await SendAsync("last month's policy", HttpMethod.Put, lastMonth, admin, Policy(Now.AddMonths(-1)))).Passes(HttpStatusCode.OK);
        refusals.Add((await BuyAsync("closed", lastMonth, carol, "k-8", Unit), HttpStatusCode.Conflict, "closed"));
        fixture.Gateway.Ledger.Clock.Advance(TimeSpan.FromDays(8));
        refusals.Add((await SendAsync("too late to cancel", HttpMethod.Post, $"/purchases/{bought.Text("purchaseId")}/cancel", carol),
            HttpStatusCode.Conflict, "cancel-window-passed"));

        Assert.All(refusals, r => Assert.Equal(r.Code, r.Exchange.Passes(r.Status).Body.TryGetProperty("code", out var code) ? code.GetString() : null));
        Assert.True(refusals[0].Exchange.Body.GetProperty("errors").TryGetProperty("amount", out _));
        Assert.True(refusals[1].Exchange.Body.GetProperty("errors").TryGetProperty("opensAt", out _));
    }

    [Fact]
    public async Task Requests_the_document_forbids_are_found_wrong_by_it_and_refused_by_the_gateway_in_answers_it_allows()
    {
        var path = NewPath();
        var dave = Citizen();
        (await SendAsync("set the policy", HttpMethod.Put, path, admin, Policy(Now.AddMinutes(-1)))).Passes(HttpStatusCode.OK);

        (await Lenient("no Idempotency-Key", HttpMethod.Post, $"{path}/purchases", dave, new { channel = "mobile", amount = Unit }))
            .IsRefusedByBoth(HttpStatusCode.BadRequest);
        (await Lenient("a channel that is none", HttpMethod.Post, $"{path}/purchases", dave, new { channel = "boat", amount = Unit },
            ("Idempotency-Key", "f-1"))).IsRefusedByBoth(HttpStatusCode.BadRequest);
        (await Lenient("an amount in words", HttpMethod.Post, $"{path}/purchases", dave, new { channel = "mobile", amount = "lots" },
            ("Idempotency-Key", "f-2"))).IsRefusedByBoth(HttpStatusCode.BadRequest);
        (await Lenient("no amount", HttpMethod.Post, $"{path}/purchases", dave, new { channel = "mobile" },
            ("Idempotency-Key", "f-3"))).IsRefusedByBoth(HttpStatusCode.BadRequest);
        (await Lenient("a month 13", HttpMethod.Get, path[..path.LastIndexOf('/')] + "/2022-13")).IsRefusedByBoth(HttpStatusCode.BadRequest);
        (await Lenient("a program in capitals", HttpMethod.Get, "/programs/Chuncheon/months/2022-12")).IsRefusedByBoth(HttpStatusCode.BadRequest);
        (await Lenient("a negative page start", HttpMethod.Get, $"{path}/ledger?after=-1&limit=many", admin)).IsRefusedByBoth(HttpStatusCode.BadRequest);
        (await Lenient("no token", HttpMethod.Get, $"/citizens/me{path}")).IsRefusedByBoth(HttpStatusCode.Unauthorized);
        (await Lenient("not JSON", HttpMethod.Post, $"{path}/purchases", dave, new StringContent("channel=mobile", Encoding.UTF8, "text/plain"),
            ("Idempotency-Key", "f-4"))).IsRefusedByBoth(HttpStatusCode.UnsupportedMediaType);
    }

    private Task<Exchange> SendAsync(string step, HttpMethod method, string path, string? token = null, object? body = null,
        params (string Name, string Value)[] headers) =>
        Exchange.SendAsync(fixture.Strict, step, method, path, token, body, headers);

    private Task<Exchange> Lenient(string step, HttpMethod method, string path, string? token = null, object? body = null,
        params (string Name, string Value)[] headers) =>
        Exchange.SendAsync(fixture.Lenient, step, method, path, token, body, headers);

    private Task<Exchange> BuyAsync(string step, string path, string token, string key, long amount, string channel = "mobile") =>
        SendAsync(step, HttpMethod.Post, $"{path}/purchases", token, new { channel, amount }, ("Idempotency-Key", key));

    /// <summary>Reads <paramref name="path"/> until its <paramref name="property"/> is <paramref name="value"/>, every answer checked; a read past
    /// the citizen's share (429) is not yet the answer.</summary>
    private Task<Exchange> UntilAsync(string step, string path, string token, string property, string value) =>
        Eventually.UntilAsync(
            async () =>
            {
                var read = await SendAsync(step, HttpMethod.Get, path, token);
                return read.Passes(read.Status == HttpStatusCode.TooManyRequests ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK);
            },
            read => read.Status == HttpStatusCode.OK && read.Body.TryGetProperty(property, out var now) && now.GetString() == value);

    private async Task<string> OpenedAsync(DateTimeOffset opensAt, int? preQueueMinutes = null)
    {
        var path = NewPath();
        (await SendAsync("a later sale", HttpMethod.Put, path, admin, Policy(opensAt, preQueueMinutes: preQueueMinutes))).Passes(HttpStatusCode.OK);
        return path;
    }

    private string NewPath() => $"/programs/oa-{Guid.NewGuid():N}"[..22] + $"/months/{ProgramMonth.MonthOf(Now)}";

    private string Citizen() => fixture.Gateway.Token($"c{Guid.NewGuid():N}", []);

    private static string Forged() => LedgerAuth.Mint(
        new SymmetricSecurityKey(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()),
        "ops", [LedgerAuth.AdminRole], DateTime.UtcNow, TimeSpan.FromHours(1));

    private static object Policy(
        DateTimeOffset opensAt, long mobileCap = 5_900_000_000, long paperCap = 1_900_000_000, long limit = 200_000,
        string? payment = null, int? preQueueMinutes = null, bool? confirm = null) => new Dictionary<string, object?>
        {
            ["opensAt"] = opensAt,
            ["discountBps"] = 1_000,
            ["citizenMonthlyLimit"] = limit,
            ["unit"] = Unit,
            ["caps"] = new { mobile = mobileCap, paper = paperCap },
            ["payment"] = payment,
            ["preQueueMinutes"] = preQueueMinutes,
            ["confirm"] = confirm,
        }.Where(p => p.Value is not null).ToDictionary();
}
