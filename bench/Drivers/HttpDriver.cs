using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// The gateway over HTTP/1.1 from this process, on at most <c>connections</c> connections, each citizen with
/// their own token (minted before the clock starts) and paper sold by a teller, as API.md has it. With a
/// <see cref="GatewayFloor"/> purchases go to one of the gateway's floors instead (BenchApi): the same
/// pipeline with no ledger work, calling no grain or the path's two probe grains.
/// </summary>
public sealed class HttpDriver : ILedgerDriver
{
    private static readonly TimeSpan RequestTimeoutMax = TimeSpan.FromSeconds(60);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>A policy without a pre-queue is sent as before, without the field.</summary>
    private static readonly JsonSerializerOptions PolicyJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient client;
    private readonly TokenMinter minter;
    private readonly GatewayFloor floor;
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> tokens = new();
    private readonly AuthenticationHeaderValue teller;
    private readonly AuthenticationHeaderValue admin;

    public HttpDriver(string url, int connections, TokenMinter minter, GatewayFloor floor = GatewayFloor.None)
    {
        client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        })
        {
            BaseAddress = new Uri(url),
            Timeout = RequestTimeoutMax,
        };
        this.minter = minter;
        this.floor = floor;
        teller = Bearer(minter.Mint(GrainsDriver.Teller, "teller"));
        admin = Bearer(minter.Mint("bench-admin", "admin"));
    }

    public string Name => floor switch
    {
        GatewayFloor.NoOp => "http no-op",
        GatewayFloor.GrainHops => "http grain hops",
        _ => "http",
    };

    /// <summary>Whether the gateway serves this driver's floor (started with LEDGER_BENCH_NOOP=1).</summary>
    public async Task<bool> HasFloorAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, FloorPrefix + "/programs/probe/months/2022-12/purchases")
        {
            Content = new ByteArrayContent("{}"u8.ToArray()) { Headers = { ContentType = Json } },
        };
        request.Headers.Authorization = admin;
        using var response = await client.SendAsync(request);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public async Task SetUpAsync(Scenario scenario)
    {
        if (floor == GatewayFloor.None)
        {
            foreach (var sale in scenario.Sales)
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, PathOf(sale))
                {
                    Content = JsonContent.Create(new
                    {
                        opensAt = sale.Policy.OpensAt,
                        discountBps = sale.Policy.DiscountBps,
                        citizenMonthlyLimit = sale.Policy.CitizenMonthlyLimit,
                        unit = sale.Policy.Unit,
                        caps = new { mobile = sale.Policy.Caps.Mobile, paper = sale.Policy.Caps.Paper },
                        preQueueMinutes = sale.Policy.PreQueueMinutes > 0 ? sale.Policy.PreQueueMinutes : (int?)null,
                    }, options: PolicyJson),
                };
                request.Headers.Authorization = admin;
                using var response = await client.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(
                        $"Setting the policy of {sale.ProgramMonth} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Parallel.ForEach(scenario.Citizens, citizen => tokens[citizen.CitizenId] = Bearer(minter.Mint(citizen.CitizenId)));
    }

    public Task<Answer> GetStateAsync(Sale sale, string citizenId) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Get, PathOf(sale)) { Headers = { Authorization = tokens[citizenId] } },
            response => response.StatusCode == HttpStatusCode.OK ? new Answer(Outcome.State) : null);

    public Task<Answer> PurchaseAsync(Sale sale, string citizenId, string idempotencyKey, Channel channel, long amount, string? queueTicket)
    {
        var paper = channel == Channel.Paper;
        var body = paper
            ? string.Create(CultureInfo.InvariantCulture, $$"""{"channel":"paper","amount":{{amount}},"citizenId":"{{citizenId}}"}""")
            : string.Create(CultureInfo.InvariantCulture, $$"""{"channel":"mobile","amount":{{amount}}}""");
        var request = new HttpRequestMessage(HttpMethod.Post, FloorPrefix + PathOf(sale) + "/purchases")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = Json } },
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (queueTicket is not null)
        {
            request.Headers.Add(QueueHeaders.Ticket, queueTicket);
        }

        request.Headers.Authorization = paper ? teller : tokens[citizenId];
        return SendAsync(request, response => response.StatusCode == HttpStatusCode.Created
            ? new Answer(Outcome.Confirmed, response.Body.GetProperty("sequence").GetInt64())
            : null);
    }

    public Task<Answer> CancelAsync(Sale sale, string citizenId, long sequence)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/purchases/{PurchaseIds.Format(sale.ProgramMonth, sequence)}/cancel");
        request.Headers.Authorization = tokens[citizenId];
        return SendAsync(request, response => response.StatusCode == HttpStatusCode.OK
                && response.Body.GetProperty("status").GetString() == "cancelled"
            ? new Answer(Outcome.Cancelled, sequence)
            : null);
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }

    private string FloorPrefix => floor switch
    {
        GatewayFloor.NoOp => "/bench/no-op",
        GatewayFloor.GrainHops => "/bench/grain-hops",
        _ => "",
    };

    private static string PathOf(Sale sale) => $"/programs/{sale.ProgramMonth.ProgramId}/months/{sale.ProgramMonth.Month}";

    private static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    /// <summary>
    /// Sends and reads the whole answer; <paramref name="success"/> names the expected answer, or null for the
    /// common ones: 409 by its code, 429/503 with Retry-After a refusal (with the queue's ticket and place when it
    /// queued the request), anything else an error.
    /// </summary>
    private async Task<Answer> SendAsync(HttpRequestMessage request, Func<HttpAnswer, Answer?> success)
    {
        try
        {
            using (request)
            using (var response = await client.SendAsync(request))
            {
                var bytes = await response.Content.ReadAsByteArrayAsync();
                var status = (int)response.StatusCode;
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                {
                    return QueueHeaders.RetryAfterOf(response) is { } retryAfter
                        ? new Answer(Outcome.Refused, Detail: $"HTTP {status}", Status: status, RetryAfter: retryAfter,
                            QueueTicket: QueueHeaders.TicketOf(response), Position: QueueHeaders.PositionOf(bytes))
                        : Answer.Failed($"{status} without Retry-After", status);
                }

                using var body = bytes.Length > 0 ? JsonDocument.Parse(bytes) : JsonDocument.Parse("{}");
                if (success(new HttpAnswer(response.StatusCode, body.RootElement)) is { } answer)
                {
                    return answer with { Status = status };
                }

                var code = response.StatusCode == HttpStatusCode.Conflict && body.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
                return code switch
                {
                    "sold-out" => new Answer(Outcome.SoldOut, Status: status),
                    "limit-exceeded" => new Answer(Outcome.LimitExceeded, Status: status),
                    not null => new Answer(Outcome.Rejected, Detail: code, Status: status),
                    null => Answer.Failed($"HTTP {status}", status),
                };
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or IOException)
        {
            return Answer.Failed(e.GetType().Name);
        }
    }

    private readonly record struct HttpAnswer(HttpStatusCode StatusCode, JsonElement Body);
}

/// <summary>Where an <see cref="HttpDriver"/> sends purchases: the ledger, or one of the gateway's floors.</summary>
public enum GatewayFloor
{
    None,

    /// <summary>The gateway's pipeline alone, no grain call.</summary>
    NoOp,

    /// <summary>The pipeline and the purchase path's two grain calls, to probe grains that do nothing.</summary>
    GrainHops,
}
