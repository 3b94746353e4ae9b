using System.Diagnostics;
using Ledger.Grains.Storage;

namespace Ledger.Grains;

/// <summary>
/// Hands requests made one at a time to a sender that takes many at once (group commit): a request is sent at once
/// when fewer than <c>sendsMax</c> sends are running, and otherwise waits, and those waiting go together in the next
/// send, at most <c>requestsPerSendMax</c> of them. Each request gets its own result or failure; a send that throws
/// fails each of its requests with that exception.
/// </summary>
/// <remarks>
/// The sending loop runs on the thread pool, outside the callers' turns and contexts. A send runs under the span that
/// was current when its first request was made, so that its database command shows in that caller's trace.
/// </remarks>
internal sealed class Coalescer<TRequest, TResult>(
    Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<Outcome<TResult>>>> send, int sendsMax, int requestsPerSendMax)
{
    private readonly Lock gate = new();
    private readonly Queue<Waiting> waiting = new();
    private int running;
    private long sends;

    /// <summary>Sends started so far.</summary>
    public long Sends => Interlocked.Read(ref sends);

    public Task<TResult> SendAsync(TRequest request)
    {
        var entry = new Waiting(request, Activity.Current);
        bool start;
        lock (gate)
        {
            waiting.Enqueue(entry);
            start = running < sendsMax;
            if (start)
            {
                running++;
            }
        }

        if (start && ExecutionContext.IsFlowSuppressed())
        {
            _ = Task.Run(SendWaitingAsync);
        }
        else if (start)
        {
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(SendWaitingAsync);
            }
        }

        return entry.Answer.Task;
    }

    private async Task SendWaitingAsync()
    {
        while (true)
        {
            Waiting[] taken;
            lock (gate)
            {
                if (waiting.Count == 0)
                {
                    running--;
                    return;
                }

                taken = new Waiting[Math.Min(waiting.Count, requestsPerSendMax)];
                for (var i = 0; i < taken.Length; i++)
                {
                    taken[i] = waiting.Dequeue();
                }
            }

            await SendAsync(taken);
        }
    }

    private async Task SendAsync(Waiting[] taken)
    {
        Activity.Current = taken[0].Span;
        Interlocked.Increment(ref sends);
        IReadOnlyList<Outcome<TResult>> outcomes;
        try
        {
            outcomes = await send(Array.ConvertAll(taken, w => w.Request));
            if (outcomes.Count != taken.Length)
            {
                throw new InvalidOperationException($"A send of {taken.Length} requests answered {outcomes.Count}.");
            }
        }
        catch (Exception e)
        {
            foreach (var entry in taken)
            {
                entry.Answer.TrySetException(e);
            }

            return;
        }
        finally
        {
            Activity.Current = null;
        }

        for (var i = 0; i < taken.Length; i++)
        {
            if (outcomes[i].Failure is { } failure)
            {
                taken[i].Answer.TrySetException(failure);
            }
            else
            {
                taken[i].Answer.TrySetResult(outcomes[i].Result!);
            }
        }
    }

    private sealed class Waiting(TRequest request, Activity? span)
    {
        public TRequest Request { get; } = request;

        public Activity? Span { get; } = span;

        public TaskCompletionSource<TResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
