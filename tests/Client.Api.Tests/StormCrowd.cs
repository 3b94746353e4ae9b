using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The 09:00 crowd as phones make it: every buyer at once, each attempt on a new connection, retrying after the
/// answer's Retry-After (with the Queue-Ticket it gave, if any), or after a second when the connection failed or was closed without an answer, until the
/// answer is final (201 or 409) or the buyer's time runs out. Meanwhile readiness is asked every
/// <see cref="ReadinessPeriod"/> at <paramref name="health"/>, each time on a new connection, as a probe does.
/// </summary>
public sealed class StormCrowd(Uri gateway, string purchasesPath, Func<string, string> tokenOf, Uri health)
{
    public static readonly TimeSpan FailedConnectRetry = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan ReadinessPeriod = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan BuyerTimeMax = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan AttemptTimeoutMax = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<(TimeSpan At, int Status)> readiness = new();
    private readonly Stopwatch clock = new();
    private long attempts;
    private long connectFailures;
    private long retryAfters;

    /// <summary>Answers other than 201, 409, 429 and 503, with when they came.</summary>
    public ConcurrentQueue<(TimeSpan At, int Status)> Unexpected { get; } = new();

    /// <summary>Time since the storm began.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    public long Attempts => Interlocked.Read(ref attempts);

    public long ConnectFailures => Interlocked.Read(ref connectFailures);

    public long RetryAfters => Interlocked.Read(ref retryAfters);

    /// <summary>Readiness answers (200 or 503), 0 where none came, with when they were asked.</summary>
    public IReadOnlyCollection<(TimeSpan At, int Status)> Readiness => readiness;

    /// <summary>Each buyer's final status (0 when none came in time), by citizen.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RunAsync(IReadOnlyList<string> citizens)
    {
        clock.Start();
        using var stop = new CancellationTokenSource();
        var polling = PollReadinessAsync(stop.Token);
        var finals = await Task.WhenAll(citizens.Select(citizen => BuyAsync(citizen)));
        await stop.CancelAsync();
        await polling;
        return citizens.Zip(finals).ToDictionary(p => p.First, p => p.Second);
    }

    private async Task<int> BuyAsync(string citizen)
    {
        await Task.Yield();
        var key = Guid.NewGuid().ToString("N");
        var deadline = clock.Elapsed + BuyerTimeMax;
        string? ticket = null;
        while (clock.Elapsed < deadline)
        {
            Interlocked.Increment(ref attempts);
            var (status, retryAfter, queueTicket) = await AttemptAsync(citizen, key, ticket);
            ticket = queueTicket ?? ticket;
            switch (status)
            {
                case 201 or 409:
                    return status;
                case 429 or 503 when retryAfter is { } wait:
                    Interlocked.Increment(ref retryAfters);
                    await Task.Delay(wait);
                    break;
                case 0:
                    Interlocked.Increment(ref connectFailures);
                    await Task.Delay(FailedConnectRetry);
                    break;
                default:
                    Unexpected.Enqueue((clock.Elapsed, status));
                    await Task.Delay(FailedConnectRetry);
                    break;
            }
        }

        return 0;
    }

    // A client of its own for each attempt: a new connection, closed once the answer is read.
    private async Task<(int Status, TimeSpan? RetryAfter, string? Ticket)> AttemptAsync(string citizen, string key, string? ticket)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = gateway, Timeout = AttemptTimeoutMax };
        using var request = new HttpRequestMessage(HttpMethod.Post, purchasesPath)
        {
            Content = new StringContent("""{"channel":"mobile","amount":10000}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokenOf(citizen));
        if (ticket is not null)
        {
            request.Headers.Add("Queue-Ticket", ticket);
        }

        try
        {
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta,
                response.Headers.TryGetValues("Queue-Ticket", out var tickets) ? tickets.First() : null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TaskCanceledException)
        {
            return (0, null, null);
        }
    }

    private async Task PollReadinessAsync(CancellationToken cancellationToken)
    {
        using var period = new PeriodicTimer(ReadinessPeriod);
        try
        {
            do
            {
                var at = clock.Elapsed;
                using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = health, Timeout = AttemptTimeoutMax };
                try
                {
                    using var response = await client.GetAsync("/health/ready", cancellationToken);
                    readiness.Enqueue((at, (int)response.StatusCode));
                }
                catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TaskCanceledException
                    && !cancellationToken.IsCancellationRequested)
                {
                    readiness.Enqueue((at, 0));
                }
            }
            while (await period.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
