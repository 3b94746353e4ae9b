using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Microsoft.Extensions.Logging;

namespace Ledger.Grains;

/// <summary>
/// Writes the refusals a program-month answered (<see cref="Rejections"/>) to ledger_rejections in the background,
/// group-commit style: one batch of what waits at a time (written through the silo's <see cref="SiloCommitter"/> with
/// other program-months' in one statement), the next batch being what arrived during that write.
/// A refusal is answered before it is written; a write that fails is tried again, and the activation flushes what
/// waits when it deactivates. A refusal answered and not yet written is lost if the silo dies (kill -9): the age of
/// each batch's oldest refusal when it became durable is measured (ledger.rejections.unwritten_age).
/// </summary>
internal sealed partial class RejectionWriter(
    ProgramMonth programMonth, Rejections rejections, SiloCommitter writes, TimeProvider clock, ILogger logger)
{
    /// <summary>Refusals written in one statement.</summary>
    public const int BatchMax = 5_000;

    /// <summary>How long a failed write waits before it is tried again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private bool stopped;

    /// <summary>The loop, while it runs.</summary>
    public Task? Writing { get; private set; }

    public void EnsureWriting()
    {
        if (rejections.Unwritten > 0 && !stopped)
        {
            Writing ??= WriteAsync();
        }
    }

    /// <summary>Writes what waits, for as long as <paramref name="cancellationToken"/> allows, then stops the loop.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        EnsureWriting();
        try
        {
            if (Writing is { } writing)
            {
                await writing.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            LogUnwritten(logger, programMonth.Key, rejections.Unwritten);
        }
        finally
        {
            stopped = true;
        }
    }

    private async Task WriteAsync()
    {
        // The writer serves every caller, so it must not go on in the trace of the one whose refusal started it.
        Activity.Current = null;
        await Task.Yield();
        try
        {
            while (rejections.Unwritten > 0 && !stopped)
            {
                var batch = rejections.TakeUnwritten(BatchMax);
                try
                {
                    await writes.WriteRejectionsAsync(programMonth, batch);
                    rejections.MarkWritten(batch);
                    LedgerMetrics.RecordRejectionsWritten(batch.Count, clock.GetUtcNow() - batch[0].At);
                }
                catch (Exception e)
                {
                    rejections.ReturnUnwritten(batch);
                    LogWriteFailed(logger, e, programMonth.Key, batch.Count);
                    await Task.Delay(RetryAfter);
                }
            }
        }
        finally
        {
            Writing = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} refusals of program-month {Key} failed; trying again")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string key, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Program-month {Key} deactivates with {Count} refusals unwritten")]
    private static partial void LogUnwritten(ILogger logger, string key, int count);
}
