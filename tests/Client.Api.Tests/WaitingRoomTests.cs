using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Queue;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The waiting room over HTTP (API.md, "Overload: the waiting room"): tickets in arrival order across
/// gateways, honoured by another gateway, refused when forged, expired or borrowed, sold-out while queued,
/// and the pre-queue placed at random at the opening. The gateways here queue every buyer first
/// (<see cref="WaitingRoomDesk.AlwaysQueueSetting"/>), so every step is seen.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class WaitingRoomTests(GatewayFixture fixture)
{
    /// <summary>How long a buyer here keeps coming back before the test gives up on an answer.</summary>
    private static readonly TimeSpan BuyerTimeMax = TimeSpan.FromSeconds(30);

    private readonly HttpClient admin = fixture.As("operator-w", LedgerAuth.AdminRole);

    [Fact]
    public async Task Tickets_are_numbered_in_arrival_order_across_two_gateways_and_everyone_is_served_in_turn()
    {
        using var first = Queueing();
        using var second = Queueing("second");
        var sale = await fixture.Ledger.OpenSaleAsync();
        var citizens = Enumerable.Range(0, 6).Select(_ => Scenario.NewCitizen()).ToArray();
        var keys = citizens.ToDictionary(c => c, _ => Scenario.NewKey());

        var answers = new List<Answer>();
        for (var i = 0; i < citizens.Length; i++)
        {
            answers.Add(await BuyAsync(i % 2 == 0 ? first : second, sale, citizens[i], keys[citizens[i]]));
        }

        var again = await BuyAsync(second, sale, citizens[0], keys[citizens[0]]);

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.TooManyRequests, "queued"), (a.Status, a.Code)));
        Assert.All(answers, a => Assert.True(a.Position >= 1 && a.EstimatedWaitSeconds >= 0 && a.RetryAfter >= 1));
        var numbers = answers.Select(a => NumberOf(a.Ticket!)).ToArray();
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Length, numbers.Distinct().Count());
        // One place per citizen: asking again, through the other gateway and without the ticket, gives the same
        // place (or, if the room has admitted it meanwhile, the purchase).
        AssertOwnPlace(again, numbers[0]);

        var finals = await Task.WhenAll(citizens.Select((c, i) =>
            BuyUntilAnsweredAsync(i % 2 == 0 ? second : first, sale, c, keys[c], answers[i].Ticket)));
        Assert.All(finals, f => Assert.Equal(HttpStatusCode.Created, f.Status));
    }

    [Fact]
    public async Task A_ticket_is_honoured_by_another_gateway_after_the_one_that_gave_it_is_gone()
    {
        var sale = await fixture.Ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        var key = Scenario.NewKey();
        Answer queued;
        using (var gone = Queueing("gone"))
        {
            queued = await BuyAsync(gone, sale, citizen, key);
        }

        using var other = Queueing("other");
        var final = await BuyUntilAnsweredAsync(other, sale, citizen, key, queued.Ticket);

        Assert.Equal(HttpStatusCode.TooManyRequests, queued.Status);
        Assert.Equal(HttpStatusCode.Created, final.Status);
        // Its first attempt there kept the place: the number the gone gateway gave (unless admitted at once).
        Assert.All(final.NumbersSeen.Take(1), n => Assert.Equal(NumberOf(queued.Ticket!), n));
    }

    [Fact]
    public async Task A_forged_borrowed_or_expired_ticket_counts_as_none()
    {
        using var gateway = Queueing();
        var sale = await fixture.Ledger.OpenSaleAsync();
        var (holder, other, forger, borrower) = (Scenario.NewCitizen(), Scenario.NewCitizen(), Scenario.NewCitizen(), Scenario.NewCitizen());
        var held = await BuyAsync(gateway, sale, holder, Scenario.NewKey());
        var others = await BuyAsync(gateway, sale, other, Scenario.NewKey());

        // The holder's payload naming the forger, with the holder's signature.
        var forged = Forge(held.Ticket!, holder, forger);
        var forgedAnswer = await BuyAsync(gateway, sale, forger, Scenario.NewKey(), forged);
        var borrowed = await BuyAsync(gateway, sale, borrower, Scenario.NewKey(), held.Ticket);
        var holderWithOthers = await BuyAsync(gateway, sale, holder, Scenario.NewKey(), others.Ticket);

        Assert.True(NumberOf(forgedAnswer.Ticket!) > NumberOf(others.Ticket!));
        Assert.True(NumberOf(borrowed.Ticket!) > NumberOf(forgedAnswer.Ticket!));
        // Another's ticket gives nobody that place: the holder keeps their own.
        AssertOwnPlace(holderWithOthers, NumberOf(held.Ticket!));

        // Past Retry-After + 30 s (and the room's own first-answer life), the place is given up.
        fixture.Ledger.Clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await BuyAsync(gateway, sale, holder, Scenario.NewKey(), held.Ticket);
        Assert.True(NumberOf(expired.Ticket!) > NumberOf(borrowed.Ticket!), "An expired ticket kept its place.");
    }

    [Fact]
    public async Task Queued_buyers_are_told_sold_out_as_soon_as_the_cap_cannot_serve_them()
    {
        using var gateway = Queueing();
        var sale = await fixture.Ledger.OpenSaleAsync(Scenario.OpenPolicy(fixture.Ledger, mobileCap: 8 * Scenario.Unit));
        var answered = new List<(string Citizen, string Key, Answer Answer)>();
        for (var i = 0; i < 4; i++)
        {
            var (citizen, key) = (Scenario.NewCitizen(), Scenario.NewKey());
            answered.Add((citizen, key, await BuyAsync(gateway, sale, citizen, key)));
        }

        // The rest of the cap goes elsewhere (a teller's counter, say) while they wait. (The room admits quickly:
        // a buyer whose ticket it admitted before their answer was written has bought already.)
        var queued = answered.Where(a => a.Answer.Status == HttpStatusCode.TooManyRequests).ToList();
        var elsewhere = 0;
        while ((await fixture.Ledger.BuyAsync(Scenario.Request(sale, Scenario.NewCitizen(), Scenario.Unit))).IsConfirmed)
        {
            Assert.InRange(++elsewhere, 1, 8);
        }

        var finals = await Task.WhenAll(queued.Select(q => BuyUntilAnsweredAsync(gateway, sale, q.Citizen, q.Key, q.Answer.Ticket)));

        Assert.All(answered, a => Assert.Contains(a.Answer.Status, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.Created }));
        Assert.NotEmpty(queued);
        Assert.Equal(8 - (answered.Count - queued.Count), elsewhere);
        Assert.All(finals, f => Assert.Equal((HttpStatusCode.Conflict, "sold-out"), (f.Status, f.Code)));
    }

    [Fact]
    public async Task The_pre_queue_places_early_buyers_at_random_at_the_opening_ahead_of_everyone_after()
    {
        var clock = fixture.Ledger.Clock;
        var opening = clock.GetUtcNow().AddMinutes(5);
        var sale = Scenario.NewProgramMonth(fixture.Ledger);
        var put = await admin.PutAsJsonAsync(GatewayRequests.PathOf(sale), new
        {
            opensAt = opening, discountBps = 1_000, citizenMonthlyLimit = Scenario.Limit, unit = Scenario.Unit,
            caps = new { mobile = 1_000 * Scenario.Unit, paper = 0L }, preQueueMinutes = 10,
        });
        var gateway = fixture.Gateway;
        var early = Enumerable.Range(0, 40).Select(_ => (Citizen: Scenario.NewCitizen(), Key: Scenario.NewKey())).ToArray();
        var waiting = new List<Answer>();
        foreach (var (citizen, key) in early)
        {
            waiting.Add(await BuyAsync(gateway, sale, citizen, key));
        }

        var askedAgain = await BuyAsync(gateway, sale, early[0].Citizen, early[0].Key);
        var policy = await fixture.Anonymous().GetFromJsonAsync<JsonElement>(GatewayRequests.PathOf(sale));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(10, policy.GetProperty("preQueueMinutes").GetInt32());
        Assert.All(waiting, w => Assert.Equal((HttpStatusCode.TooManyRequests, "queued", (long?)null), (w.Status, w.Code, w.Position)));
        Assert.All(waiting, w => Assert.Equal(opening, w.Body.GetProperty("opensAt").GetDateTimeOffset()));
        Assert.All(waiting, w => Assert.True(w.RetryAfter >= (opening - clock.GetUtcNow()).TotalSeconds));
        Assert.Equal(DrawOf(waiting[0].Ticket!), DrawOf(askedAgain.Ticket!));
        // The public sales page shows the pre-queue.
        Assert.Equal(40, (await SalesQueueAsync(sale, q => q.GetProperty("preQueued").GetInt32() == 40)).GetProperty("preQueued").GetInt32());

        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        // Later arrivals take numbers (a gateway that queues everyone, since the room may already have admitted
        // the whole pre-queue, and a buyer who finds nobody waiting buys at once).
        using var queueing = Queueing();
        var late = new List<Answer>();
        for (var i = 0; i < 5; i++)
        {
            late.Add(await BuyAsync(queueing, sale, Scenario.NewCitizen(), Scenario.NewKey()));
        }

        var order = await fixture.Ledger.Cluster.Client.GetWaitingRoom(sale).GetPreQueueOrderAsync(opening);
        Assert.NotNull(order);
        Assert.Equal(early.Select(e => e.Citizen).Order(), order.Citizens.Order());
        Assert.NotEqual(early.Select(e => e.Citizen), order.Citizens);
        Assert.All(late, l => Assert.True(NumberOf(l.Ticket!) >= order.FirstNumber + order.Citizens.Count,
            $"A later arrival got {NumberOf(l.Ticket!)}, within the pre-queue's {order.FirstNumber}-{order.FirstNumber + order.Citizens.Count - 1}."));

        var finals = await Task.WhenAll(early.Select((e, i) => BuyUntilAnsweredAsync(gateway, sale, e.Citizen, e.Key, waiting[i].Ticket)));
        Assert.All(finals, f => Assert.Equal(HttpStatusCode.Created, f.Status));
        Assert.All(finals.Select((f, i) => (f, i)).Where(p => p.f.NumbersSeen.Count > 0),
            p => Assert.Equal(order.FirstNumber + order.Citizens.ToList().IndexOf(early[p.i].Citizen), p.f.NumbersSeen[0]));
    }

    [Fact]
    public async Task While_a_later_cohorts_pre_queue_fills_an_open_cohorts_newcomer_waits_their_turn_and_the_later_cohorts_joins_it()
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var sale = await fixture.Ledger.OpenSaleAsync(Scenario.OpenPolicy(fixture.Ledger) with
        {
            OpensAt = now.AddMinutes(5), PreQueueMinutes = 10, Cohorts = [new Cohort(BirthYears.Even, now.AddMinutes(-1))],
        });
        using var queueing = Queueing();

        // An odd-year buyer joins the pre-queue of the later opening (through a gateway that queues only when it must).
        var odd = await BuyAsync(fixture.Gateway, sale, Scenario.NewCitizen(), Scenario.NewKey(), birthYear: 1991);
        // An even-year buyer, whose sale is open, meets a gateway where people wait: a numbered place, not a shortcut.
        var even = await BuyAsync(queueing, sale, Scenario.NewCitizen(), Scenario.NewKey(), birthYear: 1990);
        // Another odd-year buyer there joins the pre-queue rather than taking a number ahead of it.
        var secondOdd = await BuyAsync(queueing, sale, Scenario.NewCitizen(), Scenario.NewKey(), birthYear: 1993);

        Assert.Equal((HttpStatusCode.TooManyRequests, (long?)null), (odd.Status, odd.Position));
        Assert.Equal(HttpStatusCode.TooManyRequests, even.Status);
        Assert.NotNull(even.Position);
        Assert.Equal((HttpStatusCode.TooManyRequests, (long?)null), (secondOdd.Status, secondOdd.Position));
        Assert.Equal(now.AddMinutes(5), secondOdd.Body.GetProperty("opensAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Outside_the_pre_queue_a_buyer_before_the_opening_is_told_not_open()
    {
        var opening = fixture.Ledger.Clock.GetUtcNow().AddMinutes(30);
        var sale = await fixture.Ledger.OpenSaleAsync(Scenario.OpenPolicy(fixture.Ledger) with { OpensAt = opening, PreQueueMinutes = 10 });

        var answer = await BuyAsync(fixture.Gateway, sale, Scenario.NewCitizen(), Scenario.NewKey());

        Assert.Equal((HttpStatusCode.Conflict, "not-open"), (answer.Status, answer.Code));
        Assert.Null(answer.Ticket);
    }

    /// <summary>The program's queue on the sales feed, once it satisfies <paramref name="until"/> (or as it is after a while).</summary>
    private async Task<JsonElement> SalesQueueAsync(ProgramMonth sale, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var feed = await fixture.Anonymous().GetFromJsonAsync<JsonElement>($"/sales/feed?program={sale.ProgramId}");
            var programs = feed.GetProperty("programs").EnumerateArray().Where(p => p.GetProperty("programId").GetString() == sale.ProgramId).ToArray();
            if (programs is [var program] && (until(program.GetProperty("queue")) || DateTime.UtcNow > deadline))
            {
                return program.GetProperty("queue");
            }

            Assert.True(DateTime.UtcNow < deadline, $"{sale.ProgramId} is not on the sales feed.");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Queued at <paramref name="number"/>, or served already because the room admitted that number.</summary>
    private static void AssertOwnPlace(Answer answer, long number)
    {
        if (answer.Status == HttpStatusCode.Created)
        {
            return;
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, answer.Status);
        Assert.Equal(number, NumberOf(answer.Ticket!));
    }

    private WebApplicationFactory<Program> Queueing(string name = "first") =>
        fixture.With((WaitingRoomDesk.AlwaysQueueSetting, "true"), ("Ledger:Test:GatewayName", name));

    private async Task<Answer> BuyAsync(
        WebApplicationFactory<Program> gateway, ProgramMonth sale, string citizen, string key, string? ticket = null, int? birthYear = null)
    {
        using var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Token(citizen, [], birthYear: birthYear));
        using var request = new HttpRequestMessage(HttpMethod.Post, GatewayRequests.PathOf(sale) + "/purchases")
        {
            Content = JsonContent.Create(new { channel = "mobile", amount = Scenario.Unit }),
        };
        request.Headers.Add("Idempotency-Key", key);
        if (ticket is not null)
        {
            request.Headers.Add(QueueTickets.Header, ticket);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Answer(
            response.StatusCode, body.TryGetProperty("code", out var code) ? code.GetString() : null,
            body.TryGetProperty("position", out var position) && position.ValueKind == JsonValueKind.Number ? position.GetInt64() : null,
            body.TryGetProperty("estimatedWaitSeconds", out var wait) ? wait.GetInt32() : null,
            response.Headers.RetryAfter?.Delta?.TotalSeconds,
            response.Headers.TryGetValues(QueueTickets.Header, out var tickets) ? tickets.Single() : null,
            body);
    }

    /// <summary>Comes back as told, with the ticket last given, until an answer other than 429; the numbers its tickets carried.</summary>
    private async Task<Final> BuyUntilAnsweredAsync(
        WebApplicationFactory<Program> gateway, ProgramMonth sale, string citizen, string key, string? ticket)
    {
        var numbers = new List<long>();
        var deadline = DateTime.UtcNow + BuyerTimeMax;
        while (DateTime.UtcNow < deadline)
        {
            var answer = await BuyAsync(gateway, sale, citizen, key, ticket);
            if (answer.Status != HttpStatusCode.TooManyRequests)
            {
                return new Final(answer.Status, answer.Code, numbers);
            }

            ticket = answer.Ticket;
            numbers.Add(NumberOf(ticket!));
            await Task.Delay(TimeSpan.FromSeconds(answer.RetryAfter!.Value));
        }

        throw new TimeoutException($"{citizen} was still queued after {BuyerTimeMax}.");
    }

    private static string[] FieldsOf(string ticket) =>
        Encoding.ASCII.GetString(Base64Url.DecodeFromChars(ticket.Split('.')[0])).Split('|');

    private static long NumberOf(string ticket) => long.Parse(FieldsOf(ticket)[3], CultureInfo.InvariantCulture);

    private static long DrawOf(string ticket) => long.Parse(FieldsOf(ticket)[5], CultureInfo.InvariantCulture);

    private static string Forge(string ticket, string from, string to)
    {
        var parts = ticket.Split('.');
        var payload = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(parts[0])).Replace($"|{from}|", $"|{to}|", StringComparison.Ordinal);
        return Base64Url.EncodeToString(Encoding.ASCII.GetBytes(payload)) + "." + parts[1];
    }

    private sealed record Answer(
        HttpStatusCode Status, string? Code, long? Position, int? EstimatedWaitSeconds, double? RetryAfter, string? Ticket, JsonElement Body);

    private sealed record Final(HttpStatusCode Status, string? Code, List<long> NumbersSeen);
}
