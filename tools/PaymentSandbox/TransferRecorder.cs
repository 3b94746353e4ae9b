using System.Threading.Channels;

namespace Ledger.PaymentSandbox;

/// <summary>
/// Records transfers the way a bank's core does under load: the transfers that arrive while one transaction
/// commits go together in the next (a group commit), and each caller is answered only once its transfer is durable.
/// </summary>
public sealed class TransferRecorder(SandboxStore store, ILogger<TransferRecorder> logger) : BackgroundService
{
    private const int BatchMax = 1_000;

    private readonly Channel<Waiting> queue = Channel.CreateUnbounded<Waiting>(new() { SingleReader = true });

    /// <summary>Records a transfer unless its id holds one already; returns what the id holds.</summary>
    public Task<StoredTransfer> RecordAsync(string id, string kind, string payer, long amount, bool done)
    {
        var waiting = new Waiting(new TransferToRecord(id, kind, payer, amount, done));
        return queue.Writer.TryWrite(waiting)
            ? waiting.Answer.Task
            : Task.FromException<StoredTransfer>(new InvalidOperationException("The sandbox is stopping."));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Waiting>(BatchMax);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchMax && queue.Reader.TryRead(out var waiting))
                {
                    batch.Add(waiting);
                }

                await CommitAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
            while (queue.Reader.TryRead(out var left))
            {
                left.Answer.TrySetException(new InvalidOperationException("The sandbox is stopping."));
            }
        }
    }

    private async Task CommitAsync(List<Waiting> batch)
    {
        try
        {
            var stored = await store.RecordAllAsync(batch.Select(w => w.Transfer).ToList());
            foreach (var waiting in batch)
            {
                if (stored.TryGetValue(waiting.Transfer.Id, out var transfer))
                {
                    waiting.Answer.TrySetResult(transfer);
                }
                else
                {
                    waiting.Answer.TrySetException(new InvalidOperationException($"Transfer {waiting.Transfer.Id} was neither recorded nor found."));
                }
            }
        }
        catch (Exception exception)
        {
            // The transaction did not commit: nothing of the batch was recorded, and each caller hears so.
            logger.LogWarning(exception, "Recording {Count} transfers failed", batch.Count);
            foreach (var waiting in batch)
            {
                waiting.Answer.TrySetException(exception);
            }
        }
    }

    private sealed record Waiting(TransferToRecord Transfer)
    {
        public TaskCompletionSource<StoredTransfer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
