using System.Diagnostics;
using Ledger.Grains.Storage;
using Ledger.Sale;

namespace Ledger.Grains;

/// <summary>
/// The silo's commits. Each program-month's grain hands it one batch at a time, and it commits the batches waiting
/// together: one transaction, one commit and one WAL flush for many program-months (<see cref="LedgerStore.CommitManyAsync"/>),
/// at most <see cref="TransactionsMax"/> transactions at once. A batch is sent at once when a transaction is free,
/// so a lone hot program-month commits as it did on its own; when every program is selling, batches wait for a
/// transaction together instead of each taking its own. Each batch is still fenced by its own head and answered
/// on its own: one refused (fenced, or a broken invariant) fails alone.
/// </summary>
public sealed class SiloCommitter(LedgerStore store)
{
    /// <summary>Commit transactions in flight at once: enough to keep PostgreSQL busy while one waits for its flush.</summary>
    public const int TransactionsMax = 4;

    private readonly Lock gate = new();
    private readonly Queue<Waiting> waiting = new();
    private int running;
    private long transactions;

    /// <summary>Commit transactions sent so far.</summary>
    public long Transactions => Interlocked.Read(ref transactions);

    /// <summary>Commits a batch with those waiting beside it; the result is the batch's own.</summary>
    /// <exception cref="LedgerFencedException">The head has moved on; nothing of the batch was written.</exception>
    /// <exception cref="LedgerBatchRefusedException">The database refused the batch; nothing of it was written.</exception>
    /// <exception cref="Exception">The transaction failed whole: whether it committed is unknown.</exception>
    public Task<CommitResult> CommitAsync(BatchCommit batch)
    {
        var entry = new Waiting(batch, Activity.Current);
        bool start;
        lock (gate)
        {
            waiting.Enqueue(entry);
            start = running < TransactionsMax;
            if (start)
            {
                running++;
            }
        }

        if (start)
        {
            // The committing loop serves every grain: it runs on the thread pool, outside the caller's turn and context.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(CommitWaitingAsync);
            }
        }

        return entry.Answer.Task;
    }

    private async Task CommitWaitingAsync()
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

                taken = new Waiting[Math.Min(waiting.Count, LedgerStore.BatchesPerTransactionMax)];
                for (var i = 0; i < taken.Length; i++)
                {
                    taken[i] = waiting.Dequeue();
                }
            }

            await CommitAsync(taken);
        }
    }

    private async Task CommitAsync(Waiting[] taken)
    {
        // The transaction's command goes in the first batch's trace, under its commit span.
        Activity.Current = taken[0].Span;
        Interlocked.Increment(ref transactions);
        IReadOnlyList<BatchOutcome> outcomes;
        try
        {
            outcomes = await store.CommitManyAsync(Array.ConvertAll(taken, w => w.Batch));
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
            if (outcomes[i].Result is { } result)
            {
                taken[i].Answer.TrySetResult(result);
            }
            else
            {
                taken[i].Answer.TrySetException(outcomes[i].Failure!);
            }
        }
    }

    private sealed class Waiting(BatchCommit batch, Activity? span)
    {
        public BatchCommit Batch { get; } = batch;

        public Activity? Span { get; } = span;

        public TaskCompletionSource<CommitResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
