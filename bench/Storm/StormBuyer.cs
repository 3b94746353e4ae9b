using System.Diagnostics;
using System.Net.Http.Headers;

namespace Ledger.Bench;

/// <summary>
/// One buyer of the storm: the same purchase (same Idempotency-Key) on a new connection per attempt until a
/// final answer (201, 409, another 4xx), coming back after a 429's or 503's Retry-After, or after 1 s when
/// the connect failed, the connection ended without an answer, or the answer was another 5xx. A buyer
/// gives up after <see cref="BuyerTimeMax"/>, slot waits included.
/// </summary>
public sealed class StormBuyer(Uri gateway, string path, byte[] body, ConnectionSlots slots, StormCounters counters)
{
    public static readonly TimeSpan BuyerTimeMax = TimeSpan.FromMinutes(5);

    /// <summary>The wait after an attempt without an answer, or a 429/503 without Retry-After.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Buys until a final answer or the end of the buyer's time, counted from <paramref name="arrived"/> (a timestamp).</summary>
    public async Task<BuyerResult> BuyAsync(AuthenticationHeaderValue token, string key, long arrived, CancellationToken run)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(run);
        var left = BuyerTimeMax - Stopwatch.GetElapsedTime(arrived);
        budget.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        string? ticket = null;
        double? queuedWait = null;
        var attempts = 0;
        try
        {
            while (true)
            {
                var answer = await AttemptAsync(token, key, ticket, budget.Token);
                attempts++;
                counters.Count(answer);
                if (answer.IsFinal)
                {
                    return Result(answer, attempts, arrived, queuedWait);
                }

                ticket = answer.QueueTicket ?? ticket;
                var wait = answer.RetryAfter ?? RetryDelay;
                if (answer.Kind == AttemptKind.TooManyRequests)
                {
                    queuedWait = wait.TotalSeconds;
                }

                await Task.Delay(wait, budget.Token);
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            return Result(null, attempts, arrived, queuedWait);
        }
    }

    private BuyerResult Result(AttemptAnswer? final, int attempts, long arrived, double? queuedWait) =>
        new(final, attempts, Stopwatch.GetElapsedTime(arrived).TotalSeconds, counters.Clock.Elapsed.TotalSeconds, queuedWait);

    private async Task<AttemptAnswer> AttemptAsync(AuthenticationHeaderValue token, string key, string? ticket, CancellationToken budget)
    {
        var lease = await slots.EnterAsync(budget);
        try
        {
            return await PhoneAttempt.PurchaseAsync(gateway, path, token, key, body, ticket, lease, budget);
        }
        finally
        {
            lease.Release();
        }
    }
}
