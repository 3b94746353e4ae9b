using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Queue;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The citizen's buy page, in a real headless Chromium against a gateway on a real port that queues every
/// buyer first (<see cref="WaitingRoomDesk.AlwaysQueueSetting"/>), so the page meets the waiting room.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Browser)]
public sealed class BuyPageTests(GatewayFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// The virtual time the page runs for. Chromium moves virtual time on only while no fetch is pending, so a
    /// Retry-After of 1 s passes in the milliseconds of one round trip, while the waiting room admits in real
    /// time (its gateway reports every 200 ms): the budget is a hundred and more round trips, many such reports,
    /// and after the answer the page only polls the sale, a second or two of real time in all.
    /// </summary>
    private static readonly TimeSpan PageRunTime = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_citizen_buys_one_unit_through_the_waiting_room_and_the_page_shows_the_queue_then_the_purchase()
    {
        await using var web = QueueingGatewayOnRealPort();
        var sale = await OpenSaleAsync(mobileCap: 1_000_000);
        var token = fixture.Token(Scenario.NewCitizen(), []);

        var running = Stopwatch.StartNew();
        var dom = await HeadlessChromium.DumpDomAsync(PageOf(web, sale, $"token={token}&buy=1"), PageRunTime);
        output.WriteLine($"The page asked {Attribute(dom, "state", "data-attempts")} times; Chromium ran {running.Elapsed}.");
        var mine = await fixture.WithToken(token).GetFromJsonAsync<JsonElement>("/citizens/me" + GatewayRequests.PathOf(sale));

        Assert.Equal("bought", Attribute(dom, "state", "data-state"));
        Assert.Equal("true", Attribute(dom, "state", "data-queued-seen"));
        Assert.Matches("<li data-status=\"429\" data-code=\"queued\">429 · queued · position 1 · again in [0-9]+ s</li>", dom);
        Assert.Matches("<li data-status=\"201\" data-code=\"\">201</li>", dom);
        var purchase = Assert.Single(mine.GetProperty("purchases").EnumerateArray());
        Assert.Equal(purchase.GetProperty("purchaseId").GetString(), Attribute(dom, "purchase-id", "data-value"));
        Assert.Equal((Scenario.Unit, 9_000L), (purchase.GetProperty("amount").GetInt64(), purchase.GetProperty("price").GetInt64()));
        Assert.Equal(("10000", "9000"), (Attribute(dom, "purchase-amount", "data-value"), Attribute(dom, "purchase-price", "data-value")));
        // The live cap, read after the purchase.
        Assert.Equal("990000", Attribute(dom, "remaining", "data-value"));
    }

    [Fact]
    public async Task A_sold_out_sale_ends_refused_with_the_code_shown_and_nothing_bought()
    {
        await using var web = QueueingGatewayOnRealPort();
        var sale = await OpenSaleAsync(mobileCap: 0);
        var token = fixture.Token(Scenario.NewCitizen(), []);

        var dom = await HeadlessChromium.DumpDomAsync(PageOf(web, sale, $"token={token}&buy=1&amount=20000"), PageRunTime);
        var mine = await fixture.WithToken(token).GetFromJsonAsync<JsonElement>("/citizens/me" + GatewayRequests.PathOf(sale));

        Assert.Equal("refused", Attribute(dom, "state", "data-state"));
        Assert.Equal(("sold-out", "0"), (Attribute(dom, "code", "data-value"), Attribute(dom, "refused-remaining", "data-value")));
        Assert.Contains(">The channel's cap would be passed.</dd>", dom, StringComparison.Ordinal);
        Assert.Equal("0", Attribute(dom, "remaining", "data-value"));
        Assert.Equal("sold-out", Attribute(dom, "sale-status", "data-status"));
        Assert.Equal(0, mine.GetProperty("used").GetInt64());
        Assert.Empty(mine.GetProperty("purchases").EnumerateArray());
    }

    [Fact]
    public async Task The_page_is_served_for_a_well_formed_program_month_and_a_bad_one_is_a_400_naming_the_field()
    {
        var anyone = fixture.Anonymous();

        var page = await anyone.GetAsync("/buy/chuncheon/2022-12");
        var badProgram = await anyone.GetAsync("/buy/Not_A_Program/2022-12");
        var badMonth = await anyone.GetAsync("/buy/chuncheon/2022-13");
        var monthFirst = await anyone.GetAsync("/buy/chuncheon/12-2022");

        Assert.Equal((HttpStatusCode.OK, "text/html"), (page.StatusCode, page.Content.Headers.ContentType?.MediaType));
        Assert.Contains("/purchases", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["programId"], await InvalidFieldsAsync(badProgram));
        Assert.Equal(["month"], await InvalidFieldsAsync(badMonth));
        Assert.Equal(["month"], await InvalidFieldsAsync(monthFirst));
    }

    private WebApplicationFactory<Program> QueueingGatewayOnRealPort() =>
        GatewayFixture.OnRealPort(fixture.With((WaitingRoomDesk.AlwaysQueueSetting, "true")));

    /// <summary>The page for <paramref name="sale"/>, with <paramref name="fragment"/> after the '#'.</summary>
    private static Uri PageOf(WebApplicationFactory<Program> web, ProgramMonth sale, string fragment) =>
        new(web.ClientOptions.BaseAddress, $"/buy/{sale.ProgramId}/{sale.Month}#{fragment}");

    /// <summary>A sale opened a minute ago by the ledger's clock, 10% off, in units of 10,000 won.</summary>
    private async Task<ProgramMonth> OpenSaleAsync(long mobileCap)
    {
        var sale = Scenario.NewProgramMonth(fixture.Ledger);
        var opensAt = fixture.Ledger.Clock.GetUtcNow().AddMinutes(-1).ToOffset(ProgramMonth.KoreaOffset);
        var put = await fixture.As("operator-b", LedgerAuth.AdminRole).PutAsJsonAsync(
            GatewayRequests.PathOf(sale), GatewayRequests.Policy(opensAt, mobileCap));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return sale;
    }

    /// <summary>An attribute of the element with the given id in the dumped DOM.</summary>
    private static string Attribute(string dom, string id, string attribute)
    {
        var element = Regex.Match(dom, $"<[a-z]+ id=\"{id}\"[^>]*>");
        Assert.True(element.Success, $"No #{id} in the page:\n{dom}");
        var value = Regex.Match(element.Value, $" {attribute}=\"([^\"]*)\"");
        Assert.True(value.Success, $"#{id} has no {attribute}: {element.Value}\n{dom}");
        return WebUtility.HtmlDecode(value.Groups[1].Value);
    }

    private static async Task<string[]> InvalidFieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToArray();
    }
}
