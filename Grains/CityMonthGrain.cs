using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Payments;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Concurrency;

namespace Ledger.Grains;

/// <summary>
/// The program-month grain: a shell around the sale core (<see cref="CityMonthSale"/>), which judges and
/// reserves each purchase within its turn. A single flusher commits what waits in one transaction
/// (ledger_commit) and answers each caller once that transaction is durable. The grain is reentrant so that
/// callers waiting for their batch do not block the next ones from being admitted. On a sale that takes payment,
/// each purchase is written as a hold, and the payment desk takes it to its ending (post, void or expire), which
/// is written through the same batches.
/// </summary>
/// <remarks>
/// Correctness does not rest on this being the only activation: every commit names the epoch this activation
/// claimed and the sequence it expects next, so a stale activation's commit fails whole, and policy writes are
/// fenced by the grain state's ETag (see CityMonthPolicy).
/// </remarks>
[Reentrant]
[GrainType(LedgerGrains.CityMonthGrainType)]
public sealed partial class CityMonthGrain(
    [PersistentState("city-month", LedgerStorage.Name)] IPersistentState<CityMonthState> state,
    LedgerStore store,
    SiloCommitter commits,
    PaymentStore payments,
    IPaymentProvider provider,
    IOptions<PaymentOptions> paymentOptions,
    [FromKeyedServices(LedgerClock.Key)] TimeProvider clock,
    ILogger<CityMonthGrain> logger) : Grain, ICityMonthGrain
{
    /// <summary>Cancellations being looked up or committed at once; past this a cancel answers Busy.</summary>
    public const int CancelsInFlightMax = 1_000;

    public static readonly TimeSpan CancelWindow = TimeSpan.FromDays(7);

    private readonly Dictionary<long, Task<CancelResult>> cancelsInFlight = [];
    private ProgramMonth programMonth;
    private CityMonthPolicy policies = null!;

    // Null until the program-month has a head: before its first policy there is nothing to own.
    private SaleCommitter? committer;
    private PaymentDesk? desk;

    private CityMonthSale? Sale => committer?.Sale;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        programMonth = ProgramMonth.ParseKey(this.GetPrimaryKeyString());
        policies = new CityMonthPolicy(programMonth, state, store, clock, BecomeFenced);
        await ClaimAsync(create: false);
        LedgerMetrics.Track(this, programMonth, () => Sale?.Queued ?? 0, () => CityMonthReads.Remaining(Sale));
    }

    /// <summary>
    /// A guard: Orleans deactivates a grain only when no request is running, and every queued item's caller
    /// is a running request, so the queue should be empty here. If it is not, what is queued may commit for as
    /// long as Orleans allows, and whatever is left is answered Busy, never left waiting.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        LedgerMetrics.Untrack(this);
        desk?.Stop();
        if (committer?.Flushing is { } flushing)
        {
            try
            {
                await flushing.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Out of time: what is still queued is answered below.
            }
        }

        SaleCommitter.AnswerBusy(Sale?.Stop() ?? []);
        if (committer is not null)
        {
            await committer.Rejections.FlushAsync(cancellationToken);
        }
    }

    public Task<SetPolicyResult> SetPolicyAsync(Policy policy) =>
        SetPolicyAsync(new PolicyChange(policy, PolicyChange.Unattributed, Confirmed: true));

    public async Task<SetPolicyResult> SetPolicyAsync(PolicyChange change)
    {
        if (policies.TryBegin(change, stopped: Sale?.Stopped == true) is { } refused)
        {
            return refused;
        }

        try
        {
            if (Sale is null)
            {
                // A refused first policy creates no head either: nothing is sold yet, so no other refusal comes first.
                if (policies.ConfirmRequired(change) is { } first)
                {
                    return first;
                }

                await ClaimAsync(create: true);
            }

            // From here until the write ends, purchases must satisfy both the old and the new policy. The batch in
            // flight was held to the old policy alone; every later one is held to both.
            var rules = change.Policy.ToRules(programMonth);
            Sale!.BeginChange(rules);
            if (committer!.Committing is { } committing)
            {
                await committing;
            }

            var result = await policies.ChangeAsync(change, Sale);
            if (result.Outcome == SetPolicyOutcome.Saved)
            {
                Sale.Enforce(rules);
            }

            return result;
        }
        finally
        {
            Sale?.EndChange();
            policies.EndChange();
        }
    }

    public Task<IReadOnlyList<PolicyVersion>> GetPolicyHistoryAsync() => Task.FromResult(policies.History);

    public Task<CityMonthSnapshot?> GetSnapshotAsync() =>
        Task.FromResult(CityMonthReads.Snapshot(programMonth, policies.Current, Sale, clock.GetUtcNow()));

    public Task<PurchaseResult> PurchaseAsync(PurchaseOrder order)
    {
        var request = order.Request;
        EnsureOwnWellFormed(request, nameof(order));
        if (Sale is null)
        {
            return Task.FromResult(PurchaseResult.Of(PurchaseOutcome.NotFound));
        }

        // A retry of a hold being resolved gets it as it stands, never a new judgement (which its own hold's
        // amount could refuse) nor a reservation while it waits.
        var claim = request.ToClaim();
        if (desk?.Held(claim) is { } held)
        {
            return Task.FromResult(held);
        }

        var answer = Sale.Admit(
            claim, order.UsedAtLeast, clock.GetUtcNow(), request,
            static (claim, price, request) => new WaitingPurchase(request, claim, price), out var waiting, order.UsageExact);
        if (answer is not null)
        {
            committer!.Rejections.EnsureWriting();
            return Task.FromResult(answer.ToResult(programMonth, request.CitizenId));
        }

        committer!.EnsureFlushing();
        return ((WaitingPurchase)waiting!).Answer.Task;
    }

    public Task<PurchaseResult?> RefuseAsync(PurchaseRequest request)
    {
        EnsureOwnWellFormed(request, nameof(request));
        if (Sale?.RefuseNewcomer(request.ToClaim(), clock.GetUtcNow()) is not { } refusal)
        {
            return Task.FromResult<PurchaseResult?>(null);
        }

        committer!.Rejections.EnsureWriting();
        LedgerMetrics.CountPurchase(programMonth, refusal.Outcome);
        return Task.FromResult<PurchaseResult?>(refusal.ToResult(programMonth, request.CitizenId));
    }

    public async Task<CancelResult> CancelAsync(long purchaseSequence)
    {
        // A second cancel of the same purchase while the first is under way shares its answer.
        if (cancelsInFlight.TryGetValue(purchaseSequence, out var inFlight))
        {
            return await inFlight;
        }

        if (cancelsInFlight.Count >= CancelsInFlightMax)
        {
            return new CancelResult(CancelOutcome.Busy);
        }

        var cancel = CancelOnceAsync(purchaseSequence);
        cancelsInFlight[purchaseSequence] = cancel;
        try
        {
            return await cancel;
        }
        finally
        {
            cancelsInFlight.Remove(purchaseSequence);
        }
    }

    public async Task<Purchase?> GetPurchaseAsync(long purchaseSequence) =>
        Sale is null ? null : await store.ReadPurchaseAsync(programMonth, purchaseSequence);

    public async Task<LedgerPage> GetEntriesAsync(long after, int limit)
    {
        limit = Math.Clamp(limit, 1, LedgerPage.EntriesMax);
        if (Sale is null)
        {
            return new LedgerPage([], null);
        }

        var entries = await store.ReadEntriesAsync(programMonth, Math.Max(0, after), limit);
        // Another page follows when this one is full and the ledger goes on (or may: a head in doubt may be behind).
        var more = entries.Count == limit && (Sale.HeadInDoubt || entries[^1].Sequence < Sale.Head.NextSequence - 1);
        return new LedgerPage(entries, more ? entries[^1].Sequence : null);
    }

    public async Task<int> ResolveHoldsAsync()
    {
        if (desk is null || Sale is null || Sale.Stopped)
        {
            return 0;
        }

        await desk.ResumeAsync(() => payments.ReadOpenHoldsAsync(programMonth));
        return desk.Resolving;
    }

    public async Task<ReconciliationReport?> ReconcileAsync() =>
        policies.Current is null || Sale is null ? null : await PaymentReconciliation.RunAsync(programMonth, payments, provider);

    public async Task<AuditReport?> AuditAsync() =>
        policies.Current is { } policy && Sale is not null
            && await store.AuditAsync(programMonth, policy.CitizenMonthlyLimit) is { } figures
            ? CityMonthReads.Audit(policy, figures)
            : null;

    /// <summary>
    /// Claims the program-month for this activation (a new epoch; the head is created first when asked), takes
    /// over the grain state and reads who has bought. Without a head there is nothing to own yet.
    /// </summary>
    private async Task ClaimAsync(bool create)
    {
        if (await store.ClaimAsync(programMonth, create) is not { } head)
        {
            return;
        }

        await policies.TakeOverAsync();
        var claimed = new CityMonthSale(head, await store.ReadBuyersAsync(programMonth, CityMonthSale.BuyersTrackedMax));
        if (policies.Current is { } policy)
        {
            claimed.Enforce(policy.ToRules(programMonth));
        }

        committer = new SaleCommitter(programMonth, claimed, store, commits, clock, logger, BecomeFenced, TakeHoldAsync);
        desk = new PaymentDesk(
            programMonth, provider, paymentOptions.Value, clock, SettleAsync,
            sequence => store.ReadPurchaseAsync(programMonth, sequence), logger);
        // Holds an earlier activation left open are resumed at once.
        if (head.Held != ChannelAmounts.Zero)
        {
            await desk.ResumeAsync(() => payments.ReadOpenHoldsAsync(programMonth));
        }
    }

    /// <summary>A hold was just written: the desk withdraws its price, and the grain stays active while it may be open.</summary>
    private Task<PurchaseResult> TakeHoldAsync(PurchaseResult pending, Claim claim)
    {
        var purchase = pending.Purchase!;
        var holdSeconds = policies.Current?.HoldSeconds ?? Policy.DefaultHoldSeconds;
        DelayDeactivation(TimeSpan.FromSeconds(holdSeconds) + PaymentOptions.ResolvedWithin);
        var hold = new OpenHold(
            purchase.Sequence, purchase.CitizenId, purchase.Channel, purchase.Amount, purchase.Price,
            purchase.PurchasedAt.AddSeconds(holdSeconds));
        return desk!.TakeAsync(hold, pending, claim);
    }

    /// <summary>Writes a hold's ending through the next batch.</summary>
    private async Task<CommitAnswer> SettleAsync(FollowUp kind, OpenHold hold, string? reason)
    {
        var item = new WaitingSettlement(kind, hold, reason);
        if (Sale is null || !Sale.TryQueue(item))
        {
            throw new LedgerUnavailableException($"The sale of {programMonth} stopped; the hold's ending waits for the next activation.");
        }

        committer!.EnsureFlushing();
        return await item.Answer.Task;
    }

    private async Task<CancelResult> CancelOnceAsync(long purchaseSequence)
    {
        if (policies.Current is null || Sale is null
            || await store.ReadPurchaseAsync(programMonth, purchaseSequence) is not { } purchase)
        {
            return new CancelResult(CancelOutcome.NotFound);
        }

        switch (purchase.Status)
        {
            case PurchaseStatus.Cancelled:
                return new CancelResult(CancelOutcome.Cancelled, purchase);
            case PurchaseStatus.Pending:
                return new CancelResult(CancelOutcome.PaymentPending, purchase);
            case PurchaseStatus.Voided:
                return new CancelResult(CancelOutcome.Voided, purchase);
        }

        if (clock.GetUtcNow() - purchase.PurchasedAt > CancelWindow)
        {
            return new CancelResult(CancelOutcome.WindowPassed, purchase);
        }

        var item = new WaitingCancel(purchase);
        if (!Sale.TryQueue(item))
        {
            return new CancelResult(CancelOutcome.Busy);
        }

        committer!.EnsureFlushing();
        var result = await item.Answer.Task;
        return result.Outcome == CancelOutcome.Cancelled ? await WithRefundAsync(result) : result;
    }

    /// <summary>A paid purchase's price goes back through the refund outbox: the answer says where that stands.</summary>
    private async Task<CancelResult> WithRefundAsync(CancelResult cancelled)
    {
        try
        {
            return await store.ReadPurchaseAsync(programMonth, cancelled.Purchase!.Sequence) is { Refund: not null } refunded
                ? cancelled with { Purchase = refunded }
                : cancelled;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // The cancel is written; only where its refund stands is not known now. A read of the purchase says.
            return cancelled;
        }
    }

    /// <summary>Throws unless the request is well formed and for this program-month.</summary>
    private void EnsureOwnWellFormed(PurchaseRequest request, string parameter)
    {
        if (request.ProgramMonth != programMonth)
        {
            throw new ArgumentException($"A purchase for {request.ProgramMonth} reached {programMonth}.", parameter);
        }

        PurchaseRequests.EnsureWellFormed(request);
    }

    private void BecomeFenced(string reason)
    {
        LogFenced(programMonth.Key, reason);
        desk?.Stop();
        SaleCommitter.AnswerBusy(Sale?.Stop() ?? []);
        this.DeactivateOnIdle();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Program-month {Key} is owned by a newer activation; this one stops: {Reason}")]
    private partial void LogFenced(string key, string reason);
}
