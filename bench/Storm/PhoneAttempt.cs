using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Ledger.Bench;

/// <summary>
/// One purchase attempt as a phone makes it: a new TCP connection, one request, the whole answer read, and
/// the connection closed, so a buyer holds at most one connection at a time. Connecting is done here
/// (<see cref="SocketsHttpHandler.ConnectCallback"/>) so that a failure is known to be the connect's or the answer's.
/// </summary>
public static class PhoneAttempt
{
    /// <summary>How long a phone waits for a connection: past the kernel's SYN retries at 1, 3 and 7 s.</summary>
    public static readonly TimeSpan ConnectTimeoutMax = TimeSpan.FromSeconds(10);

    /// <summary>How long a phone waits for the whole attempt, connect included, before giving up on it.</summary>
    public static readonly TimeSpan AttemptTimeoutMax = TimeSpan.FromSeconds(30);

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// Sends <paramref name="body"/> to <paramref name="path"/> on a new connection, whose socket holds
    /// <paramref name="lease"/> until it is closed; throws only when <paramref name="budget"/> ends.
    /// </summary>
    public static async Task<AttemptAnswer> PurchaseAsync(
        Uri gateway, string path, AuthenticationHeaderValue token, string key, byte[] body, string? ticket,
        SlotLease? lease, CancellationToken budget)
    {
        var connected = false;
        using var handler = Handler(lease, () => connected = true);
        using var client = new HttpClient(handler) { BaseAddress = gateway, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        request.Headers.Authorization = token;
        request.Headers.Add("Idempotency-Key", key);
        if (ticket is not null)
        {
            request.Headers.Add(QueueHeaders.Ticket, ticket);
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(budget);
        attempt.CancelAfter(AttemptTimeoutMax);
        try
        {
            using var response = await client.SendAsync(request, attempt.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(attempt.Token);
            return Classify(response, bytes);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            budget.ThrowIfCancellationRequested();
            return Failure(e, connected);
        }
    }

    private static SocketsHttpHandler Handler(SlotLease? lease, Action onConnected) => new()
    {
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = 1,
        ConnectTimeout = ConnectTimeoutMax,
        ConnectCallback = async (context, cancellationToken) =>
        {
            lease?.Hold();
            Socket? socket = null;
            try
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                onConnected();
                return new LeasedStream(socket, lease);
            }
            catch
            {
                socket?.Dispose();
                lease?.Release();
                throw;
            }
        },
    };

    private static AttemptAnswer Classify(HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        var ticket = QueueHeaders.TicketOf(response);
        return status switch
        {
            201 => Confirmed(body),
            409 when CodeOf(body) is "sold-out" => new(AttemptKind.SoldOut, status, "409 sold-out"),
            409 => new(AttemptKind.OtherAnswer, status, $"409 {CodeOf(body) ?? "without a code"}"),
            429 => new(AttemptKind.TooManyRequests, status, "429", RetryAfter: QueueHeaders.RetryAfterOf(response), QueueTicket: ticket),
            503 => new(AttemptKind.Unavailable, status, "503", RetryAfter: QueueHeaders.RetryAfterOf(response), QueueTicket: ticket),
            >= 500 => new(AttemptKind.ServerError, status, $"HTTP {status}"),
            _ => new(AttemptKind.OtherAnswer, status, $"HTTP {status}"),
        };
    }

    private static AttemptAnswer Confirmed(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return new(AttemptKind.Confirmed, 201, "201", json.RootElement.GetProperty("sequence").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new(AttemptKind.OtherAnswer, 201, "201 without a readable purchase");
        }
    }

    private static string? CodeOf(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("code", out var code)
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>No answer: the connect's failure (refused, timed out, no socket), or the answer's (reset, closed, timed out).</summary>
    private static AttemptAnswer Failure(Exception e, bool connected)
    {
        var timedOut = e is OperationCanceledException;
        var socketError = SocketErrorOf(e);
        if (!connected)
        {
            return new(AttemptKind.ConnectFailed, 0, timedOut ? "connect timed out" : $"connect {socketError?.ToString() ?? e.GetType().Name}");
        }

        return timedOut
            ? new(AttemptKind.TimedOut, 0, "no answer in time")
            : new(AttemptKind.NoAnswer, 0, $"answer {socketError?.ToString() ?? (e as HttpRequestException)?.HttpRequestError.ToString() ?? e.GetType().Name}");
    }

    private static SocketError? SocketErrorOf(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    /// <summary>The connection's stream: closing it closes the socket and releases the attempt's hold on its slot.</summary>
    private sealed class LeasedStream(Socket socket, SlotLease? lease) : NetworkStream(socket, ownsSocket: true)
    {
        private int closed;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (Interlocked.Exchange(ref closed, 1) == 0)
            {
                lease?.Release();
            }
        }
    }
}
