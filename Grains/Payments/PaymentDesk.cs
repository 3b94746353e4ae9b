using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Microsoft.Extensions.Logging;

namespace Ledger.Grains.Payments;

/// <summary>
/// Takes each hold of one program-month activation to its ending. It asks the provider to withdraw the price
/// under the purchase's id; on a lost or late answer it asks for that transfer's result instead of withdrawing
/// again (and withdraws again, under the same id, only when the provider says it never arrived). It ends the
/// hold only on the provider's word (post, or void with its reason) or at the hold's expiry (expire: the
/// database then owes the price back in case the provider withdrew after all).
/// </summary>
/// <remarks>
/// A hold written by an earlier activation, or one whose resolution stopped, is resumed with an inquiry: whether
/// the earlier activation withdrew is unknown. One resolution per hold runs at a time, and the database accepts
/// one ending per hold (ledger_entries_ending_of), so a hold never ends twice.
/// </remarks>
internal sealed partial class PaymentDesk(
    ProgramMonth programMonth,
    IPaymentProvider provider,
    PaymentOptions options,
    TimeProvider clock,
    Func<FollowUp, OpenHold, string?, Task<CommitAnswer>> settle,
    Func<long, Task<Purchase?>> read,
    ILogger logger)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(5);

    private readonly Dictionary<long, Task<Settlement?>> resolving = [];

    // The holds this activation took from a purchase, by citizen and scoped key, with their pending answer.
    private readonly Dictionary<(string CitizenId, string Key), (Claim Claim, PurchaseResult Pending)> heldByKey = [];
    private readonly CancellationTokenSource stopping = new();

    // Holds this activation ended while a read of the open holds was under way: that read may still list them.
    private readonly HashSet<long> endedDuringRead = [];
    private int readsUnderWay;
    private readonly InquiryBatcher inquiries = new(provider);

    /// <summary>Holds being resolved by this activation.</summary>
    public int Resolving => resolving.Count;

    /// <summary>
    /// Resolves a hold just written and answers its buyer: confirmed or declined if that is known within
    /// <see cref="PaymentOptions.AnswerWithin"/>, else the purchase as it stands, pending.
    /// </summary>
    public async Task<PurchaseResult> TakeAsync(OpenHold hold, PurchaseResult pending, Claim claim)
    {
        var key = (claim.CitizenId, claim.Key);
        heldByKey[key] = (claim, pending);
        var resolution = Resolve(hold, fresh: true);
        _ = resolution.ContinueWith(_ => heldByKey.Remove(key), TaskScheduler.Current);
        var first = await Task.WhenAny(resolution, Task.Delay(options.AnswerWithin, TimeProvider.System));
        return first == resolution && resolution.IsCompletedSuccessfully && resolution.Result is { } settlement
            ? Answer(pending, settlement)
            : pending;
    }

    /// <summary>
    /// The answer to a purchase whose key took a hold this activation is still resolving: the hold as it stands
    /// (pending), or a conflict for another body; null when the key has no such hold.
    /// </summary>
    public PurchaseResult? Held(Claim claim) =>
        heldByKey.TryGetValue((claim.CitizenId, claim.Key), out var held)
            ? held.Claim == claim ? held.Pending : PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict)
            : null;

    /// <summary>
    /// Reads the open holds and resumes those no resolution of this activation is taking care of. A hold that
    /// ended while the read was under way is left alone: resolved again, it would be ended twice, which the
    /// database refuses for the whole batch.
    /// </summary>
    public async Task ResumeAsync(Func<Task<IReadOnlyList<OpenHold>>> readOpenHolds)
    {
        readsUnderWay++;
        try
        {
            foreach (var hold in await readOpenHolds())
            {
                if (!endedDuringRead.Contains(hold.Sequence))
                {
                    _ = Resolve(hold, fresh: false);
                }
            }
        }
        finally
        {
            if (--readsUnderWay == 0)
            {
                endedDuringRead.Clear();
            }
        }
    }

    /// <summary>The activation ends: resolutions stop where they are; the next activation resumes them.</summary>
    public void Stop() => stopping.Cancel();

    /// <summary>A pending purchase's answer once its hold ended.</summary>
    public static PurchaseResult Answer(PurchaseResult pending, Settlement settlement)
    {
        var purchase = pending.Purchase! with { Status = settlement.Status, Reason = settlement.Reason };
        var outcome = settlement.Status == PurchaseStatus.Confirmed ? PurchaseOutcome.Confirmed : PurchaseOutcome.PaymentDeclined;
        return pending with { Outcome = outcome, Purchase = purchase, CitizenUsed = settlement.CitizenUsed };
    }

    private Task<Settlement?> Resolve(OpenHold hold, bool fresh)
    {
        if (!resolving.TryGetValue(hold.Sequence, out var resolution) && !stopping.IsCancellationRequested)
        {
            resolving[hold.Sequence] = resolution = RunAsync(hold, fresh);
        }

        return resolution ?? Task.FromResult<Settlement?>(null);
    }

    private async Task<Settlement?> RunAsync(OpenHold hold, bool fresh)
    {
        // Registered before it runs: the entry is removed only by this resolution's own end.
        await Task.Yield();
        try
        {
            var settlement = await ResolveAsync(hold, fresh, stopping.Token);
            if (readsUnderWay > 0)
            {
                endedDuringRead.Add(hold.Sequence);
            }

            return settlement;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            // The sweeper resumes it (PaymentSweeper).
            LogResolutionFailed(logger, e, programMonth.Key, hold.Sequence);
            return null;
        }
        finally
        {
            resolving.Remove(hold.Sequence);
        }
    }

    private async Task<Settlement> ResolveAsync(OpenHold hold, bool fresh, CancellationToken cancellationToken)
    {
        var transferId = PurchaseIds.Format(programMonth, hold.Sequence);
        var withdraw = fresh;
        var backoff = FirstBackoff;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (clock.GetUtcNow() >= hold.ExpiresAt)
            {
                return await SettleAsync(hold, FollowUp.Expire, null, cancellationToken);
            }

            var outcome = await AskAsync(transferId, hold, withdraw, cancellationToken);
            switch (outcome?.State)
            {
                case TransferState.Done:
                    return await SettleAsync(hold, FollowUp.Post, null, cancellationToken);
                case TransferState.Refused:
                    return await SettleAsync(hold, FollowUp.Void, Reason(outcome.Message), cancellationToken);
                case TransferState.IdOfAnother:
                    LogIdOfAnother(logger, programMonth.Key, transferId);
                    return await SettleAsync(hold, FollowUp.Void, "The provider holds another transfer under this purchase's id.", cancellationToken);
                case TransferState.NotFound:
                    // It never arrived: asking again under the same id cannot charge twice.
                    withdraw = true;
                    break;
                default:
                    // No word: the withdrawal may or may not have happened. Ask for its result, never withdraw blindly.
                    withdraw = false;
                    await Task.Delay(backoff, TimeProvider.System, cancellationToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LastBackoff.Ticks));
                    break;
            }
        }
    }

    private async Task<TransferOutcome?> AskAsync(string transferId, OpenHold hold, bool withdraw, CancellationToken cancellationToken)
    {
        try
        {
            if (!withdraw)
            {
                return await inquiries.InquireAsync(transferId, cancellationToken);
            }

            return await provider.WithdrawAsync(transferId, hold.CitizenId, hold.Price, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogNoWord(logger, programMonth.Key, transferId, withdraw ? "withdrawal" : "inquiry", e.Message);
            return null;
        }
    }

    /// <summary>
    /// Writes the hold's ending. If the write fails with its outcome unknown, the hold is read again: it may have
    /// ended by that very write; if not, the ending is written again.
    /// </summary>
    private async Task<Settlement> SettleAsync(OpenHold hold, FollowUp kind, string? reason, CancellationToken cancellationToken)
    {
        var backoff = FirstBackoff;
        while (true)
        {
            try
            {
                var answer = await settle(kind, hold, reason);
                return new Settlement(answer.Status, answer.Reason, answer.CitizenUsed);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogSettleFailed(logger, e, programMonth.Key, hold.Sequence);
            }

            await Task.Delay(backoff, TimeProvider.System, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LastBackoff.Ticks));
            try
            {
                if (await read(hold.Sequence) is { Status: not PurchaseStatus.Pending } ended)
                {
                    return new Settlement(ended.Status, ended.Reason, null);
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogSettleFailed(logger, e, programMonth.Key, hold.Sequence);
            }
        }
    }

    /// <summary>The provider's message as the ledger keeps it (ledger_entries.reason holds at most 200 characters).</summary>
    private static string Reason(string? message) =>
        string.IsNullOrWhiteSpace(message) ? "Refused by the provider." : message.Length <= 200 ? message : message[..200];

    [LoggerMessage(Level = LogLevel.Information, Message = "Program-month {Key}: no word from the provider on {TransferId} ({Request}): {Error}")]
    private static partial void LogNoWord(ILogger logger, string key, string transferId, string request, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Program-month {Key}: writing the ending of hold {Sequence} failed")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string key, long sequence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Program-month {Key}: resolving hold {Sequence} stopped; the sweeper resumes it")]
    private static partial void LogResolutionFailed(ILogger logger, Exception exception, string key, long sequence);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Program-month {Key}: the provider holds another transfer under id {TransferId}")]
    private static partial void LogIdOfAnother(ILogger logger, string key, string transferId);
}
