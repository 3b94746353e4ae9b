using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Ledger.Bench;

/// <summary>
/// <c>GET /health/ready</c> every 100 ms on one long-lived connection of its own, as a load balancer or
/// Kubernetes asks, recording when each poll was answered and whether it said ready.
/// </summary>
public sealed class ReadinessProbe : IDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A poll not answered in this time counts as no answer (Kubernetes' default probe timeout is 1 s).</summary>
    public static readonly TimeSpan PollTimeoutMax = TimeSpan.FromSeconds(1);

    private readonly HttpClient client;
    private readonly Stopwatch clock;
    private readonly ConcurrentQueue<(double At, HttpStatusCode? Status)> polls = new();
    private volatile string last = "not polled";

    public ReadinessProbe(Uri gateway, Stopwatch clock)
    {
        client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        {
            BaseAddress = gateway,
            Timeout = PollTimeoutMax,
        };
        this.clock = clock;
    }

    /// <summary>The latest poll's answer in a word, for the progress line.</summary>
    public string Last => last;

    public long Ready => polls.Count(p => p.Status == HttpStatusCode.OK);

    /// <summary>Polls answered with anything but 200.</summary>
    public long NotReady => polls.Count(p => p.Status is { } status && status != HttpStatusCode.OK);

    /// <summary>Polls that got no answer in time, or no connection.</summary>
    public long Unanswered => polls.Count(p => p.Status is null);

    /// <summary>One poll, not recorded: opens the probe's connection before the storm and says whether the gateway is ready.</summary>
    public async Task<bool> IsReadyAsync() => await Task.Run(Poll) == HttpStatusCode.OK;

    /// <summary>
    /// Polls until <paramref name="stop"/>, on a thread of its own with blocking calls: the storm's buyers keep
    /// the thread pool busy, and a poll must not wait behind them for its answer to be read.
    /// </summary>
    public Task RunAsync(CancellationToken stop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                PollUntil(stop);
            }
            finally
            {
                done.SetResult();
            }
        })
        { IsBackground = true, Name = "readiness probe" }.Start();
        return done.Task;
    }

    /// <summary>Ready answers in a second in which a purchase was answered with a 5xx other than 503.</summary>
    public long ReadyDuring(IReadOnlySet<long> failingSeconds) =>
        polls.Count(p => p.Status == HttpStatusCode.OK && failingSeconds.Contains((long)p.At));

    public void Dispose() => client.Dispose();

    private void PollUntil(CancellationToken stop)
    {
        do
        {
            var started = Stopwatch.GetTimestamp();
            var status = Poll();
            polls.Enqueue((clock.Elapsed.TotalSeconds, status));
            last = status switch
            {
                HttpStatusCode.OK => "ready",
                { } other => $"not ready ({(int)other})",
                null => "no answer",
            };
            var rest = PollInterval - Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                stop.WaitHandle.WaitOne(rest);
            }
        }
        while (!stop.IsCancellationRequested);
    }

    private HttpStatusCode? Poll()
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
            using var response = client.Send(request);
            response.Content.ReadAsStream().CopyTo(Stream.Null);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }
    }
}
