using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Payments;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Microsoft.Extensions.Logging;

namespace Ledger.Grains;

/// <summary>
/// The program-month grain's flush loop: while purchases and cancels wait in the sale, it takes a batch,
/// commits it through the silo's <see cref="SiloCommitter"/> (fenced by the head), applies the answers to the sale and answers each
/// caller. A commit whose outcome is unknown leaves the head in doubt; it is read again before the next batch.
/// </summary>
/// <param name="fence">Stops the grain: a newer activation owns the program-month, or an invariant broke.</param>
/// <param name="held">Answers the buyer of a hold just written, once its payment is resolved or pending.</param>
internal sealed partial class SaleCommitter(
    ProgramMonth programMonth,
    CityMonthSale sale,
    LedgerStore store,
    SiloCommitter commits,
    TimeProvider clock,
    ILogger logger,
    Action<string> fence,
    Func<PurchaseResult, Claim, Task<PurchaseResult>> held)
{
    public CityMonthSale Sale { get; } = sale;

    /// <summary>Writes the refusals the sale answered, in the background.</summary>
    public RejectionWriter Rejections { get; } = new(programMonth, sale.Rejections, commits, clock, logger);

    /// <summary>The loop, while it runs.</summary>
    public Task? Flushing { get; private set; }

    /// <summary>The batch being committed, if any.</summary>
    public Task? Committing { get; private set; }

    public void EnsureFlushing() => Flushing ??= FlushAsync();

    private async Task FlushAsync()
    {
        // The flusher serves every caller: it must not go on in the trace of the one whose call started it (each
        // batch's span names its own callers).
        Activity.Current = null;
        // Let the turn that started the flusher finish first; callers arriving meanwhile join the batch.
        await Task.Yield();
        try
        {
            while (Sale.Queued > 0 && !Sale.Stopped)
            {
                Committing = CommitNextBatchAsync(Sale);
                await Committing;
            }
        }
        finally
        {
            Committing = null;
            Flushing = null;
        }
    }

    private async Task CommitNextBatchAsync(CityMonthSale sale)
    {
        if (sale.HeadInDoubt && !await TryReloadHeadAsync(sale))
        {
            return;
        }

        var batch = sale.TakeBatch();
        if (batch.Count == 0)
        {
            // A reload answered everything that was queued.
            return;
        }

        using var measurement = LedgerMetrics.StartCommit(programMonth, batch);
        CommitResult result;
        try
        {
            result = await commits.CommitAsync(new BatchCommit(
                programMonth, batch.Head, batch.Limits, batch.FollowUps,
                batch.Purchases.Select(CommitPurchase.Of).ToArray(), clock.GetUtcNow()));
        }
        catch (LedgerFencedException e)
        {
            sale.Abandon(batch, outcomeUnknown: false);
            AnswerBusy(batch.Items);
            fence(e.Message);
            return;
        }
        catch (Exception e)
        {
            // The commit may or may not have landed (the connection can fail after the commit): the callers
            // learn it failed, a retry with the same key finds out, and the head is read again.
            sale.Abandon(batch, outcomeUnknown: true);
            Fail(batch.Items, e);
            return;
        }

        Answer(sale, batch, result);
        Rejections.EnsureWriting();
    }

    private void Answer(CityMonthSale sale, Batch batch, CommitResult result)
    {
        IReadOnlyList<Answer> answers;
        try
        {
            answers = sale.Apply(batch, result);
        }
        catch (Exception e)
        {
            // A broken invariant, or an answer the sale cannot read, is a bug: this activation stops loudly
            // instead of selling on, and the next one starts from what the database holds.
            LogBroken(logger, e, programMonth.Key);
            var broken = new LedgerUnavailableException($"The ledger of {programMonth} stopped on a broken invariant.");
            foreach (var item in batch.Items.Cast<IWaitingItem>())
            {
                item.Fail(broken);
            }

            fence(e.Message);
            return;
        }

        // Apply checked that every item has its answer.
        for (var i = 0; i < batch.FollowUps.Count; i++)
        {
            switch (batch.FollowUps[i])
            {
                case WaitingCancel cancel:
                    cancel.Answer.TrySetResult(new CancelResult(
                        CancelOutcome.Cancelled, cancel.Purchase with { Status = PurchaseStatus.Cancelled },
                        result.FollowUps[i].CitizenUsed));
                    break;
                case WaitingSettlement settlement:
                    settlement.Answer.TrySetResult(result.FollowUps[i]);
                    break;
            }
        }

        for (var i = 0; i < answers.Count; i++)
        {
            var purchase = (WaitingPurchase)batch.Purchases[i];
            var answer = answers[i].ToResult(programMonth, purchase.Request.CitizenId);
            if (answers[i] is { Outcome: PurchaseOutcome.Pending, Entry.Outcome: CommitOutcome.Confirmed })
            {
                _ = AnswerHeldAsync(purchase, answer);
            }
            else
            {
                purchase.Answer.TrySetResult(answer);
            }
        }
    }

    /// <summary>A hold was just written: its buyer is answered once the payment desk has an answer (at worst, pending).</summary>
    private async Task AnswerHeldAsync(WaitingPurchase purchase, PurchaseResult pending)
    {
        try
        {
            purchase.Answer.TrySetResult(await held(pending, purchase.Claim));
        }
        catch (Exception)
        {
            purchase.Answer.TrySetResult(pending);
        }
    }

    /// <summary>
    /// Reads the head again before the next batch is taken. If that fails too, the next batch fails with it, so
    /// callers hear at once that the ledger is unavailable instead of waiting for it to come back.
    /// </summary>
    private async Task<bool> TryReloadHeadAsync(CityMonthSale sale)
    {
        try
        {
            var stored = await store.ReadHeadAsync(programMonth);
            if (stored is null || stored.Epoch != sale.Head.Epoch)
            {
                throw new LedgerFencedException($"{programMonth} was claimed by epoch {stored?.Epoch}.", new TimeoutException());
            }

            // A commit whose answer was lost may have added buyers.
            var buyers = await store.ReadBuyersAsync(programMonth, CityMonthSale.BuyersTrackedMax);
            foreach (var (purchase, answer) in sale.Reload(stored, buyers))
            {
                ((WaitingPurchase)purchase).Answer.TrySetResult(answer.ToResult(programMonth, purchase.CitizenId));
            }

            return true;
        }
        catch (LedgerFencedException e)
        {
            fence(e.Message);
        }
        catch (Exception e)
        {
            var batch = sale.TakeBatch();
            sale.Abandon(batch, outcomeUnknown: false);
            Fail(batch.Items, e);
        }

        return false;
    }

    private void Fail(IEnumerable<PendingItem> items, Exception e)
    {
        var failed = items.Cast<IWaitingItem>().ToArray();
        LogCommitFailed(logger, e, programMonth.Key, failed.Length);
        var unavailable = new LedgerUnavailableException(
            $"Committing to the ledger of {programMonth} failed; the outcome is unknown: {e.Message}");
        foreach (var item in failed)
        {
            item.Fail(unavailable);
        }
    }

    public static void AnswerBusy(IEnumerable<PendingItem> items)
    {
        foreach (var item in items.Cast<IWaitingItem>())
        {
            item.AnswerBusy();
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Program-month {Key} stopped: an invariant broke after a commit")]
    private static partial void LogBroken(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} items of program-month {Key} failed")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string key, int count);
}
