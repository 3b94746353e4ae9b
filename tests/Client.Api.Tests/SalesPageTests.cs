using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Sales;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ledger.Client.Api.Tests;

/// <summary>The live sales page, in a real headless Chromium against the gateway on a real port.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Browser)]
public sealed class SalesPageTests(GatewayFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan PageRunTime = TimeSpan.FromSeconds(3);
    private static readonly (byte R, byte G, byte B) MobileColour = (0x25, 0x63, 0xeb);
    private static readonly (byte R, byte G, byte B) PaperColour = (0xea, 0x58, 0x0c);

    [Fact]
    public async Task The_sales_page_shows_each_channels_remaining_cap_and_the_curve_since_opening()
    {
        await using var web = KestrelGateway();
        var http = web.CreateClient();
        var sale = await OpenSaleAsync(http);
        await BuyAsync(http, sale, "citizen-s1", "mobile", 200_000);
        await BuyAsync(http, sale, "citizen-s2", "paper", 100_000);
        fixture.Ledger.Clock.Advance(TimeSpan.FromMinutes(2));
        await BuyAsync(http, sale, "citizen-s3", "mobile", 200_000);
        await BuyAsync(http, sale, "citizen-s4", "mobile", 100_000);

        var feed = await http.GetFromJsonAsync<JsonElement>($"/sales/feed?program={sale.ProgramId}");
        var page = new Uri(web.ClientOptions.BaseAddress, $"/sales?program={sale.ProgramId}");
        var dom = await HeadlessChromium.DumpDomAsync(page, PageRunTime);
        var png = await HeadlessChromium.ScreenshotAsync(page, PageRunTime, 900, 600);

        var program = Assert.Single(feed.GetProperty("programs").EnumerateArray());
        var points = program.GetProperty("curve").GetProperty("points").EnumerateArray().ToList();
        Assert.Equal((0L, 0L), (points[0].GetProperty("mobile").GetInt64(), points[0].GetProperty("paper").GetInt64()));
        Assert.Equal((500_000L, 100_000L), (points[^1].GetProperty("mobile").GetInt64(), points[^1].GetProperty("paper").GetInt64()));
        var mobile = points.Select(p => p.GetProperty("mobile").GetInt64()).ToList();
        Assert.Contains(200_000L, mobile);
        Assert.Equal(mobile.Order(), mobile);

        var card = Regex.Match(dom, $"<section class=\"program\" data-program=\"{sale.ProgramId}\".*?</section>", RegexOptions.Singleline);
        Assert.True(card.Success, $"The page shows no card for {sale.ProgramId}:\n{dom}");
        Assert.Equal(500_000, Figure(card.Value, "mobile", "remaining"));
        Assert.Equal(300_000, Figure(card.Value, "paper", "remaining"));
        Assert.Equal(500_000, Figure(card.Value, "mobile", "sold"));
        Assert.Contains(">500,000</td>", card.Value, StringComparison.Ordinal);
        var mobileLine = Curve(card.Value, "mobile");
        Assert.Equal(500_000, mobileLine.Last);
        Assert.Equal(points.Count, mobileLine.Points.Count);
        Assert.True(mobileLine.Points.Zip(mobileLine.Points[1..]).All(p => p.First.X <= p.Second.X && p.First.Y >= p.Second.Y),
            "The mobile curve runs left to right and never falls.");
        Assert.True(mobileLine.Points[^1].Y < mobileLine.Points[0].Y, "The mobile curve rises.");
        Assert.Equal(100_000, Curve(card.Value, "paper").Last);
        // The axis shows the larger cap in a few characters (5.9B, not a clipped 5,900,000,000), the full figure
        // as its tooltip; instants are written year first, as the months are.
        Assert.Contains("class=\"axis-top\">1M<title>1,000,000 won</title></text>", card.Value, StringComparison.Ordinal);
        Assert.Matches(@"<span id=""updated"">updated \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} KST</span>", dom);

        // Kept for a look, beside the test binaries: a shared /tmp path would belong to whoever ran first.
        var screenshot = Path.Combine(AppContext.BaseDirectory, "sales-page.png");
        await File.WriteAllBytesAsync(screenshot, png);
        output.WriteLine($"Screenshot: {screenshot}");
        var image = PngImage.Read(png);
        Assert.Equal((900, 600), (image.Width, image.Height));
        var colours = Pixels(image).Distinct().Count();
        Assert.True(colours > 20, $"The screenshot looks blank: {colours} colours.");
        // A channel's swatch in the table is 100 pixels; its curve, 3 pixels wide, is far more.
        Assert.True(Count(image, MobileColour) > 600, $"{Count(image, MobileColour)} pixels of the mobile curve's colour.");
        Assert.True(Count(image, PaperColour) > 600, $"{Count(image, PaperColour)} pixels of the paper curve's colour.");
    }

    [Fact]
    public async Task The_feed_refuses_a_bad_program_id_and_lists_only_the_current_month()
    {
        await using var web = fixture.Gateway.WithWebHostBuilder(OnLedgerClock);
        var anonymous = web.CreateClient();

        var bad = await anonymous.GetAsync("/sales/feed?program=Not%20A%20Program");
        var badPage = await anonymous.GetAsync("/sales?program=%3Cscript%3E");
        var unknown = await anonymous.GetFromJsonAsync<JsonElement>("/sales/feed?program=no-such-program");
        var pageHtml = await anonymous.GetAsync("/sales");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("program", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Empty(unknown.GetProperty("programs").EnumerateArray());
        Assert.Equal(ProgramMonth.MonthOf(fixture.Ledger.Clock.GetUtcNow()), unknown.GetProperty("month").GetString());
        Assert.Equal("text/html", pageHtml.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/sales/feed", await pageHtml.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flood_of_feeds_for_distinct_programs_builds_at_most_once_a_second_and_leaves_purchases_their_budget()
    {
        // An overload bound of 2 in flight and 2 queued: feeds holding any of it would refuse the purchase.
        await using var web = fixture.Gateway.WithWebHostBuilder(builder =>
        {
            OnLedgerClock(builder);
            builder.UseSetting("Ledger:Gateway:RequestsInFlightMax", "2");
            builder.UseSetting("Ledger:Gateway:QueueMax", "2");
        });
        var http = web.CreateClient();
        var sale = await OpenSaleAsync(http);
        var board = web.Services.GetRequiredService<SalesBoard>();
        var flooding = Stopwatch.StartNew();

        var flood = Enumerable.Range(0, 500).Select(i => http.GetAsync($"/sales/feed?program=flood-{i}")).ToList();
        await BuyAsync(http, sale, "citizen-f1", "mobile", 100_000);
        var answers = await Task.WhenAll(flood);
        var feed = await http.GetFromJsonAsync<JsonElement>($"/sales/feed?program={sale.ProgramId}");
        var elapsed = flooding.Elapsed;

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.Empty((await answers[^1].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("programs").EnumerateArray());
        Assert.InRange(board.Builds, 1, 1 + (long)Math.Floor(elapsed / SalesBoard.RefreshPeriod));
        var program = Assert.Single(feed.GetProperty("programs").EnumerateArray());
        Assert.Equal(sale.ProgramId, program.GetProperty("programId").GetString());
    }

    /// <summary>The gateway on a real loopback port, reading the cluster's ledger clock.</summary>
    private WebApplicationFactory<Program> KestrelGateway() =>
        GatewayFixture.OnRealPort(fixture.Gateway.WithWebHostBuilder(OnLedgerClock));

    /// <summary>The sales board reads the clock the cluster's grains read, as a real gateway shares the silos' time.</summary>
    private void OnLedgerClock(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddKeyedSingleton<TimeProvider>(SalesBoard.ClockKey, fixture.Ledger.Clock));

    private async Task<ProgramMonth> OpenSaleAsync(HttpClient http)
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var sale = new ProgramMonth($"s{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(now));
        var request = new HttpRequestMessage(HttpMethod.Put, $"/programs/{sale.ProgramId}/months/{sale.Month}")
        {
            Content = JsonContent.Create(new
            {
                opensAt = now.AddMinutes(-1).ToOffset(ProgramMonth.KoreaOffset),
                discountBps = 1_000,
                citizenMonthlyLimit = Scenario.Limit,
                unit = Scenario.Unit,
                caps = new { mobile = 1_000_000L, paper = 400_000L },
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token("operator-s", [LedgerAuth.AdminRole]));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        return sale;
    }

    private async Task BuyAsync(HttpClient http, ProgramMonth sale, string citizen, string channel, long amount)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/programs/{sale.ProgramId}/months/{sale.Month}/purchases")
        {
            // Paper is sold by a teller for a named citizen; a citizen buys mobile vouchers for themself.
            Content = channel == "paper" ? JsonContent.Create(new { channel, amount, citizenId = citizen }) : JsonContent.Create(new { channel, amount }),
        };
        // A key per purchase: the teller's keys are the teller's, whichever citizen they name.
        request.Headers.Add("Idempotency-Key", "tap-" + citizen);
        var token = channel == "paper" ? fixture.Token("teller-s", [LedgerAuth.TellerRole]) : fixture.Token(citizen, []);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(request)).StatusCode);
    }

    private static long Figure(string card, string channel, string figure)
    {
        var match = Regex.Match(card, $"<tr data-channel=\"{channel}\".*?class=\"{figure}\" data-value=\"(\\d+)\"", RegexOptions.Singleline);
        Assert.True(match.Success, $"No {figure} figure for {channel} in:\n{card}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static (long Last, List<(double X, double Y)> Points) Curve(string card, string channel)
    {
        var line = Regex.Match(card, $"<polyline points=\"([^\"]*)\"[^>]*data-channel=\"{channel}\" data-last=\"(\\d+)\"");
        Assert.True(line.Success, $"No {channel} curve in:\n{card}");
        var points = line.Groups[1].Value.Split(' ').Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        return (long.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture), points);
    }

    private static IEnumerable<(byte R, byte G, byte B)> Pixels(PngImage image)
    {
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                yield return image[x, y];
            }
        }
    }

    private static int Count(PngImage image, (byte R, byte G, byte B) colour) =>
        Pixels(image).Count(p => Math.Abs(p.R - colour.R) + Math.Abs(p.G - colour.G) + Math.Abs(p.B - colour.B) <= 12);
}
