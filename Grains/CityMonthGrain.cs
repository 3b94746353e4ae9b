using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Orleans.Concurrency;
using Orleans.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Grains;

/// <summary>
/// The program-month grain. Each purchase is checked against the policy and reserved against the cap
/// synchronously within its turn; a single flusher then commits everything waiting in one transaction
/// (ledger_commit) and answers each caller once that transaction is durable. The grain is reentrant so
/// that callers waiting for their batch do not block the next ones from being admitted.
/// </summary>
/// <remarks>
/// Correctness does not rest on this being the only activation: every commit names the epoch this
/// activation claimed and the sequence it expects next, so a stale activation's commit fails whole, and
/// policy writes are fenced by the grain state's ETag (see <see cref="TakeOverStateAsync"/>).
/// </remarks>
[Reentrant]
[GrainType(LedgerGrains.CityMonthGrainType)]
public sealed partial class CityMonthGrain(
    [PersistentState("city-month", LedgerStorage.Name)] IPersistentState<CityMonthState> state,
    LedgerStore store,
    [FromKeyedServices(LedgerClock.Key)] TimeProvider clock,
    ILogger<CityMonthGrain> logger) : Grain, ICityMonthGrain
{
    /// <summary>Items admitted and waiting; past this a purchase answers Busy at once.</summary>
    public const int PendingMax = 50_000;

    /// <summary>Items committed in one transaction.</summary>
    public const int BatchMax = 5_000;


    /// <summary>Cancellations being looked up or committed at once; past this a cancel answers Busy.</summary>
    public const int CancelsInFlightMax = 1_000;

    /// <summary>Policy versions kept per program-month (each change is one; a month sees a handful).</summary>
    public const int PolicyVersionsMax = 1_000;

    /// <summary>
    /// Buyers tracked in memory: each citizen who ever bought here and each teller's key that bought (about
    /// 100 bytes each; a program-month with more purchases than this is not tracked from activation). Past
    /// this the grain no longer tells a rejected citizen whether they bought, so each first rejection costs a
    /// history read, and a teller's key reused for another citizen is found only by the database.
    /// </summary>
    public const int BuyersTrackedMax = 500_000;

    public static readonly TimeSpan CancelWindow = TimeSpan.FromDays(7);

    // A batch holds each citizen, and each teller's key, at most once (ledger_commit relies on it); it looks
    // this far down the queue for more citizens before it stops.
    private const int BatchScanMax = BatchMax * 2;
    private const int TakeoverAttemptsMax = 5;

    private readonly LinkedList<PendingItem> queue = new();
    private readonly Dictionary<long, Task<CancelResult>> cancelsInFlight = [];

    // The purchases admitted and not yet answered, by citizen and scoped key (PurchaseRequests.ScopedKey): a
    // retry that arrives while its first attempt is still waiting (its caller timed out, say) gets that
    // attempt's answer, rather than being judged against a cap that the first attempt's own reservation has
    // taken.
    private readonly Dictionary<(string CitizenId, string Key), PendingPurchase> pendingByKey = [];

    // A teller's purchases again, by scoped key alone (it names the teller): a teller's key buys once
    // whichever citizen it names, so while one purchase with it waits, another for a different citizen is a
    // conflict.
    private readonly Dictionary<string, PendingPurchase> pendingByTellerKey = new(StringComparer.Ordinal);
    private ProgramMonth programMonth;
    private Policy? policy;
    private Policy? incomingPolicy;
    private bool incomingPolicyChecked;
    private LedgerHead? head;

    // Who ever bought in this program-month, so a rejection made in memory can tell a citizen grain that
    // knows nothing whether the citizen has any history here (see CitizenGrain); null when not tracked.
    private Buyers? buyers;
    private ChannelAmounts reserved = ChannelAmounts.Zero;
    private Task? flushing;
    private Task? committing;
    private bool headInDoubt;
    private bool fenced;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        programMonth = ProgramMonth.ParseKey(this.GetPrimaryKeyString());
        await ClaimAsync(create: false);
        LedgerMetrics.Track(this, programMonth, () => queue.Count, Remaining);
    }

    /// <summary>
    /// A guard: Orleans deactivates a grain only when no request is running, and every queued item's caller
    /// is a running request, so the queue should be empty here. If it is not, what is queued may commit
    /// for as long as Orleans allows, and whatever is left is answered Busy, never left waiting.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        LedgerMetrics.Untrack(this);
        if (flushing is not null)
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

        AnswerQueueBusy();
    }

    public Task<SetPolicyResult> SetPolicyAsync(Policy policy) =>
        SetPolicyAsync(new PolicyChange(policy, PolicyChange.Unattributed, Confirmed: true));

    public async Task<SetPolicyResult> SetPolicyAsync(PolicyChange change)
    {
        var newPolicy = change.Policy;
        var errors = newPolicy.Validate(programMonth);
        if (errors.Count > 0)
        {
            return new SetPolicyResult(
                SetPolicyOutcome.Invalid, Errors: errors.Select(e => new PolicyError(e.Field, e.Message)).ToArray());
        }

        if (incomingPolicy is not null || fenced)
        {
            return new SetPolicyResult(SetPolicyOutcome.Busy);
        }

        if ((state.State.PolicyHistory?.Count ?? 0) >= PolicyVersionsMax)
        {
            return new SetPolicyResult(SetPolicyOutcome.Invalid,
                Errors: [new PolicyError("policy", $"A program-month keeps at most {PolicyVersionsMax} policy versions.")]);
        }

        // From here until the write ends, purchases must satisfy both the old and the new policy.
        incomingPolicy = newPolicy;
        try
        {
            return await ChangePolicyAsync(change);
        }
        finally
        {
            incomingPolicy = null;
            incomingPolicyChecked = false;
        }
    }

    public Task<IReadOnlyList<PolicyVersion>> GetPolicyHistoryAsync() =>
        Task.FromResult(state.State.PolicyHistory ?? []);

    public Task<CityMonthSnapshot?> GetSnapshotAsync()
    {
        if (policy is null || head is null)
        {
            return Task.FromResult<CityMonthSnapshot?>(null);
        }

        var status = SaleStatusAt(clock.GetUtcNow());
        return Task.FromResult<CityMonthSnapshot?>(new CityMonthSnapshot(
            programMonth, policy, status, ChannelStateOf(Channel.Mobile, status), ChannelStateOf(Channel.Paper, status),
            head.NextSequence - 1, queue.Count));
    }

    public Task<PurchaseResult> PurchaseAsync(PurchaseOrder order)
    {
        var request = order.Request;
        EnsureOwnWellFormed(request, nameof(order));
        if (policy is null || head is null)
        {
            return Task.FromResult(PurchaseResult.Of(PurchaseOutcome.NotFound));
        }

        var key = request.ScopedKey();
        if (pendingByKey.TryGetValue((request.CitizenId, key), out var first))
        {
            return first.Request == request
                ? first.Answer.Task
                : Task.FromResult(PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict));
        }

        // A teller's key waiting (for another citizen: the same one was answered above), or already bought
        // for another citizen: a conflict, whatever else would refuse it.
        if ((request.SoldBy is not null && pendingByTellerKey.ContainsKey(key)) || IsTellersKeyOfAnother(request, key))
        {
            return Task.FromResult(PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict));
        }

        var rejection = RejectionOf(order);
        if (rejection is not null)
        {
            return Task.FromResult(rejection with { CitizenHasBought = HasBought(request.CitizenId) });
        }

        if (fenced || queue.Count >= PendingMax)
        {
            return Task.FromResult(PurchaseResult.Of(PurchaseOutcome.Busy));
        }

        reserved = reserved.Add(request.Channel, request.Amount);
        var item = new PendingPurchase(request, policy.PriceOf(request.Amount));
        pendingByKey[(request.CitizenId, key)] = item;
        if (request.SoldBy is not null)
        {
            pendingByTellerKey[key] = item;
        }

        queue.AddLast(item);
        EnsureFlushing();
        return item.Answer.Task;
    }

    public Task<PurchaseResult?> RefuseAsync(PurchaseRequest request)
    {
        EnsureOwnWellFormed(request, nameof(request));
        var key = request.ScopedKey();
        if (IsTellersKeyOfAnother(request, key))
        {
            LedgerMetrics.CountPurchase(programMonth, PurchaseOutcome.IdempotencyConflict);
            return Task.FromResult<PurchaseResult?>(PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict));
        }

        // A citizen who never bought has no key that bought and uses nothing of the limit: the refusal their
        // citizen grain would get from PurchaseAsync, judged with usage 0, stands as it is.
        if (policy is null || head is null || HasBought(request.CitizenId) != false
            || pendingByKey.ContainsKey((request.CitizenId, key))
            || RejectionOf(new PurchaseOrder(request, UsedAtLeast: 0)) is not { IsFinal: true } rejection)
        {
            return Task.FromResult<PurchaseResult?>(null);
        }

        LedgerMetrics.CountPurchase(programMonth, rejection.Outcome);
        return Task.FromResult<PurchaseResult?>(rejection with { CitizenHasBought = false });
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
        head is null ? null : await store.ReadPurchaseAsync(programMonth, purchaseSequence);

    public async Task<LedgerPage> GetEntriesAsync(long after, int limit)
    {
        limit = Math.Clamp(limit, 1, LedgerPage.EntriesMax);
        if (head is null)
        {
            return new LedgerPage([], null);
        }

        var entries = await store.ReadEntriesAsync(programMonth, Math.Max(0, after), limit);
        // Another page follows when this one is full and the ledger goes on (or may: a head in doubt may be behind).
        var more = entries.Count == limit && (headInDoubt || entries[^1].Sequence < head.NextSequence - 1);
        return new LedgerPage(entries, more ? entries[^1].Sequence : null);
    }

    public async Task<AuditReport?> AuditAsync()
    {
        if (policy is null || head is null)
        {
            return null;
        }

        var figures = await store.AuditAsync(programMonth, policy.CitizenMonthlyLimit);
        if (figures is null)
        {
            return null;
        }

        var mobile = new ChannelAudit(policy.Caps.Mobile, figures.HeadSoldMobile, figures.LedgerSoldMobile);
        var paper = new ChannelAudit(policy.Caps.Paper, figures.HeadSoldPaper, figures.LedgerSoldPaper);
        var gapless = figures.Entries == figures.MaxSequence && figures.HeadNextSequence == figures.MaxSequence + 1;
        var consistent = gapless
            && mobile.SoldByCounter == mobile.SoldByLedger && mobile.SoldByLedger <= mobile.Cap
            && paper.SoldByCounter == paper.SoldByLedger && paper.SoldByLedger <= paper.Cap
            && figures.CitizensOverLimit == 0;
        return new AuditReport(
            consistent, mobile, paper, figures.CitizensOverLimit, figures.Entries, gapless);
    }

    /// <summary>
    /// Claims the program-month for this activation (a new epoch; the head is created first when asked),
    /// takes over the grain state and reads who has bought. Without a head there is nothing to own yet.
    /// </summary>
    private async Task ClaimAsync(bool create)
    {
        head = await store.ClaimAsync(programMonth, create);
        if (head is not null)
        {
            await TakeOverStateAsync();
            buyers = await store.ReadBuyersAsync(programMonth, BuyersTrackedMax);
        }
    }

    /// <summary>
    /// Makes this activation the owner of the grain state: after the epoch is claimed, re-read the state
    /// and write it back. Any policy an older activation wrote before that is read here; any it tries to
    /// write after it fails its ETag check.
    /// </summary>
    private async Task TakeOverStateAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            await state.ReadStateAsync();
            policy = state.State.Policy;
            if (!state.RecordExists)
            {
                return;
            }

            try
            {
                await state.WriteStateAsync();
                return;
            }
            catch (InconsistentStateException) when (attempt < TakeoverAttemptsMax)
            {
                // An older activation wrote in between: read its policy and try again.
            }
        }
    }

    private async Task<SetPolicyResult> ChangePolicyAsync(PolicyChange change)
    {
        var newPolicy = change.Policy;
        if (head is null)
        {
            // A refused first policy creates no head either: nothing is sold yet, so no other refusal comes first.
            if (ConfirmRequired(change) is { } first)
            {
                return first;
            }

            await ClaimAsync(create: true);
        }

        // The batch in flight was held to the old policy alone; every later one is held to both.
        if (committing is not null)
        {
            await committing;
        }

        // Only the flusher re-reads a head in doubt, between batches; the change is tried again later.
        if (headInDoubt)
        {
            return new SetPolicyResult(SetPolicyOutcome.Busy);
        }

        foreach (var channel in Enum.GetValues<Channel>())
        {
            var taken = head!.Sold[channel] + reserved[channel];
            if (newPolicy.Caps[channel] < taken)
            {
                return new SetPolicyResult(SetPolicyOutcome.CapBelowSold, Channel: channel, Sold: taken);
            }
        }

        // Everything sold or reserved now fits under the new caps too, so batches can be held to both.
        incomingPolicyChecked = true;

        if (policy is not null && newPolicy.CitizenMonthlyLimit < policy.CitizenMonthlyLimit)
        {
            var usedMax = await store.ReadMaxCitizenUsedAsync(programMonth);
            if (newPolicy.CitizenMonthlyLimit < usedMax)
            {
                return new SetPolicyResult(SetPolicyOutcome.LimitBelowUsed, Sold: usedMax);
            }
        }

        // After the refusals that confirming cannot help; against the policy in force, which no other change
        // can replace while this one is incoming.
        if (ConfirmRequired(change) is { } refused)
        {
            return refused;
        }

        var previous = state.State;
        var history = previous.PolicyHistory ?? [];
        state.State = previous with
        {
            Policy = newPolicy,
            PolicyHistory = [.. history, new PolicyVersion(history.Count + 1, newPolicy, change.SetBy, clock.GetUtcNow())],
        };
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException e)
        {
            state.State = previous;
            BecomeFenced(e.Message);
            return new SetPolicyResult(SetPolicyOutcome.Busy);
        }
        catch (Exception e)
        {
            // The write may have landed: this activation no longer knows which policy is stored, so it
            // stops, and the next one reads it.
            state.State = previous;
            BecomeFenced(e.Message);
            throw;
        }

        policy = newPolicy;
        return new SetPolicyResult(SetPolicyOutcome.Saved, newPolicy);
    }

    private SetPolicyResult? ConfirmRequired(PolicyChange change) =>
        !change.Confirmed && PolicyGuard.ReasonToConfirm(policy, change.Policy, programMonth, clock.GetUtcNow()) is { } reason
            ? new SetPolicyResult(SetPolicyOutcome.ConfirmRequired, Reason: reason)
            : null;

    private async Task<CancelResult> CancelOnceAsync(long purchaseSequence)
    {
        if (policy is null || head is null)
        {
            return new CancelResult(CancelOutcome.NotFound);
        }

        var purchase = await store.ReadPurchaseAsync(programMonth, purchaseSequence);
        if (purchase is null)
        {
            return new CancelResult(CancelOutcome.NotFound);
        }

        if (purchase.Status == PurchaseStatus.Cancelled)
        {
            return new CancelResult(CancelOutcome.Cancelled, purchase);
        }

        if (clock.GetUtcNow() - purchase.PurchasedAt > CancelWindow)
        {
            return new CancelResult(CancelOutcome.WindowPassed, purchase);
        }

        if (fenced || queue.Count >= PendingMax)
        {
            return new CancelResult(CancelOutcome.Busy);
        }

        var item = new PendingCancel(purchase);
        queue.AddLast(item);
        EnsureFlushing();
        return await item.Answer.Task;
    }

    /// <summary>The first rule of <paramref name="rules"/> the order breaks, in the contract's order; null if none.</summary>
    private PurchaseResult? Check(Policy rules, PurchaseOrder order, DateTimeOffset now)
    {
        var request = order.Request;
        if (request.Amount <= 0 || request.Amount % rules.Unit != 0)
        {
            return PurchaseResult.Of(PurchaseOutcome.InvalidAmount);
        }

        var opening = rules.OpeningFor(programMonth, request.BirthYear);
        if (now < opening)
        {
            return rules.IsInPreQueue(opening, now) ? PurchaseResult.PreQueue(opening) : PurchaseResult.NotOpen(opening);
        }

        if (now >= programMonth.End)
        {
            return PurchaseResult.Of(PurchaseOutcome.Closed);
        }

        var limitLeft = rules.CitizenMonthlyLimit - order.UsedAtLeast;
        if (request.Amount > limitLeft)
        {
            return PurchaseResult.LimitExceeded(Math.Max(0, limitLeft));
        }

        var capLeft = RemainingUnder(rules, request.Channel);
        return request.Amount > capLeft ? PurchaseResult.SoldOut(capLeft) : null;
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

    /// <summary>The refusal a purchase gets in memory under the policy and the one coming in, if any.</summary>
    private PurchaseResult? RejectionOf(PurchaseOrder order)
    {
        var now = clock.GetUtcNow();
        return Check(policy!, order, now) ?? (incomingPolicy is null ? null : Check(incomingPolicy, order, now));
    }

    private bool? HasBought(string citizenId) => buyers?.Citizens.Contains(citizenId);

    /// <summary>
    /// Whether the request's teller key already bought for another citizen, as far as this activation
    /// knows (buyers tracked); if not known, ledger_commit still answers it.
    /// </summary>
    private bool IsTellersKeyOfAnother(PurchaseRequest request, string scopedKey) =>
        request.SoldBy is not null
        && buyers?.TellerKeys.GetValueOrDefault(scopedKey) is { } owner && owner != request.CitizenId;

    private long RemainingUnder(Policy rules, Channel channel) =>
        Math.Max(0, rules.Caps[channel] - head!.Sold[channel] - reserved[channel]);

    private ChannelAmounts? Remaining() => policy is { } rules && head is not null
        ? new ChannelAmounts(RemainingUnder(rules, Channel.Mobile), RemainingUnder(rules, Channel.Paper))
        : null;

    private SaleStatus SaleStatusAt(DateTimeOffset now)
    {
        if (now >= programMonth.End)
        {
            return SaleStatus.Closed;
        }

        if (now < policy!.FirstOpening(programMonth))
        {
            return SaleStatus.Scheduled;
        }

        return Enum.GetValues<Channel>().All(c => RemainingUnder(policy, c) == 0) ? SaleStatus.SoldOut : SaleStatus.Open;
    }

    private ChannelState ChannelStateOf(Channel channel, SaleStatus saleStatus)
    {
        var remaining = RemainingUnder(policy!, channel);
        var status = saleStatus is SaleStatus.Scheduled or SaleStatus.Closed
            ? saleStatus
            : remaining == 0 ? SaleStatus.SoldOut : SaleStatus.Open;
        return new ChannelState(policy!.Caps[channel], head!.Sold[channel], remaining, status);
    }

    /// <summary>
    /// What a batch is held to in the database. The caps are those in force, and also the new ones once a
    /// change has checked that everything sold and reserved fits under them (before that a waiting
    /// purchase admitted under the old caps alone could fail the whole batch). The limit is the stricter of
    /// the two while a change is being saved, so a citizen cannot slip past a lowered limit; the database
    /// refuses such a purchase on its own, without failing the batch.
    /// </summary>
    private CommitLimits CommitLimits()
    {
        var other = incomingPolicy ?? policy!;
        var caps = incomingPolicyChecked
            ? new ChannelAmounts(Math.Min(policy!.Caps.Mobile, other.Caps.Mobile), Math.Min(policy.Caps.Paper, other.Caps.Paper))
            : policy!.Caps;
        return new CommitLimits(Math.Min(policy.CitizenMonthlyLimit, other.CitizenMonthlyLimit), caps);
    }

    private void EnsureFlushing() => flushing ??= FlushAsync();

    private async Task FlushAsync()
    {
        // The flusher serves every caller: it must not go on in the trace of the one whose call started it
        // (each batch's span names its own callers).
        Activity.Current = null;
        // Let the turn that started the flusher finish first; callers arriving meanwhile join the batch.
        await Task.Yield();
        try
        {
            while (queue.Count > 0 && !fenced)
            {
                committing = CommitNextBatchAsync();
                await committing;
            }
        }
        finally
        {
            committing = null;
            flushing = null;
        }
    }

    private async Task CommitNextBatchAsync()
    {
        if (headInDoubt && !await TryReloadHeadAsync())
        {
            return;
        }

        var (cancels, purchases) = TakeBatch();
        if (cancels.Count + purchases.Count == 0)
        {
            // A reload answered everything that was queued.
            return;
        }

        try
        {
            await CommitAsync(cancels, purchases);
        }
        finally
        {
            Settle(purchases);
        }
    }

    private async Task CommitAsync(List<PendingCancel> cancels, List<PendingPurchase> purchases)
    {
        var limits = CommitLimits();
        using var measurement = LedgerMetrics.StartCommit(programMonth, cancels, purchases);
        CommitResult result;
        try
        {
            result = await store.CommitAsync(
                programMonth, head!, limits, cancels.Select(c => c.Purchase.Sequence).ToArray(),
                purchases.Select(p => p.ToCommit()).ToArray(), clock.GetUtcNow());
        }
        catch (LedgerFencedException e)
        {
            Release(purchases);
            foreach (var item in cancels.Concat<PendingItem>(purchases))
            {
                item.AnswerBusy();
            }

            BecomeFenced(e.Message);
            return;
        }
        catch (Exception e)
        {
            // The commit may or may not have landed (the connection can fail after the commit): the
            // callers learn it failed, a retry with the same key finds out, and the head is re-read. Until
            // then the grain cannot tell who has bought.
            headInDoubt = true;
            buyers = null;
            Fail(cancels, purchases, e);
            return;
        }

        Release(purchases);
        try
        {
            Apply(cancels, purchases, result, limits);
        }
        catch (Exception e)
        {
            // A broken invariant, or an answer the grain cannot read, is a bug: this activation stops
            // loudly instead of selling on, and the next one starts from what the database holds.
            LogBroken(e, programMonth.Key);
            headInDoubt = true;
            buyers = null;
            var broken = new LedgerUnavailableException($"The ledger of {programMonth} stopped on a broken invariant.");
            foreach (var item in cancels.Concat<PendingItem>(purchases))
            {
                item.Fail(broken);
            }

            BecomeFenced(e.Message);
        }
    }

    /// <summary>
    /// Re-reads the head before the next batch is taken. If that fails too, the next batch fails with it,
    /// so callers hear at once that the ledger is unavailable instead of waiting for it to come back.
    /// </summary>
    private async Task<bool> TryReloadHeadAsync()
    {
        try
        {
            await ReloadHeadAsync();
            return true;
        }
        catch (LedgerFencedException e)
        {
            BecomeFenced(e.Message);
        }
        catch (Exception e)
        {
            var (cancels, purchases) = TakeBatch();
            Fail(cancels, purchases, e);
            Settle(purchases);
        }

        return false;
    }

    private void Fail(List<PendingCancel> cancels, List<PendingPurchase> purchases, Exception e)
    {
        Release(purchases);
        LogCommitFailed(e, programMonth.Key, cancels.Count + purchases.Count);
        var unavailable = new LedgerUnavailableException(
            $"Committing to the ledger of {programMonth} failed; the outcome is unknown: {e.Message}");
        foreach (var item in cancels.Concat<PendingItem>(purchases))
        {
            item.Fail(unavailable);
        }
    }

    private (List<PendingCancel> Cancels, List<PendingPurchase> Purchases) TakeBatch()
    {
        var citizens = new HashSet<string>(StringComparer.Ordinal);
        // Admission already keeps a teller's key to one waiting purchase; the batch does not rely on it.
        var tellerKeys = new HashSet<string>(StringComparer.Ordinal);
        var cancels = new List<PendingCancel>();
        var purchases = new List<PendingPurchase>();
        var node = queue.First;
        for (var scanned = 0; node is not null && scanned < BatchScanMax && citizens.Count < BatchMax; scanned++)
        {
            var next = node.Next;
            var tellerKey = node.Value is PendingPurchase { Request.SoldBy: not null } purchase ? purchase.Key : null;
            if ((tellerKey is null || !tellerKeys.Contains(tellerKey)) && citizens.Add(node.Value.CitizenId))
            {
                if (tellerKey is not null)
                {
                    tellerKeys.Add(tellerKey);
                }

                queue.Remove(node);
                if (node.Value is PendingCancel cancel)
                {
                    cancels.Add(cancel);
                }
                else
                {
                    purchases.Add((PendingPurchase)node.Value);
                }
            }

            node = next;
        }

        return (cancels, purchases);
    }

    private void Release(List<PendingPurchase> purchases)
    {
        foreach (var purchase in purchases)
        {
            reserved = reserved.Add(purchase.Request.Channel, -purchase.Request.Amount);
        }
    }

    private void Apply(
        List<PendingCancel> cancels, List<PendingPurchase> purchases, CommitResult result, CommitLimits limits)
    {
        var sold = head!.Sold;
        var next = head.NextSequence;
        for (var i = 0; i < cancels.Count; i++)
        {
            var answer = result.Cancels[i];
            var purchase = cancels[i].Purchase;
            sold = sold.Add(purchase.Channel, -purchase.Amount);
            next++;
            cancels[i].Answer.TrySetResult(new CancelResult(
                CancelOutcome.Cancelled, purchase with { Status = PurchaseStatus.Cancelled }, answer.CitizenUsed));
        }

        for (var i = 0; i < purchases.Count; i++)
        {
            var answer = result.Purchases[i];
            if (answer.Outcome == CommitOutcome.Confirmed)
            {
                sold = sold.Add(answer.Channel, answer.Amount);
                next++;
                buyers?.Add(purchases[i].Request.CitizenId, purchases[i].Key);
            }

            purchases[i].Answer.TrySetResult(AnswerFor(purchases[i].Request, answer, limits));
        }

        head = head with { NextSequence = next, Sold = sold };
        if (buyers?.Count > BuyersTrackedMax)
        {
            buyers = null;
        }

        CheckInvariants();
    }

    private PurchaseResult AnswerFor(PurchaseRequest request, CommitAnswer answer, CommitLimits limits) =>
        answer.Outcome switch
        {
            CommitOutcome.Confirmed or CommitOutcome.Duplicate => PurchaseResult.Confirmed(
                new Purchase(
                    PurchaseIds.Format(programMonth, answer.Sequence!.Value), programMonth, request.CitizenId,
                    answer.Channel, answer.Amount, answer.Price,
                    answer.Cancelled ? PurchaseStatus.Cancelled : PurchaseStatus.Confirmed, answer.At,
                    answer.Sequence.Value),
                answer.CitizenUsed),
            CommitOutcome.Conflict => PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict),
            CommitOutcome.LimitExceeded => PurchaseResult.LimitExceeded(
                Math.Max(0, limits.CitizenMonthlyLimit - answer.CitizenUsed), answer.CitizenUsed),
            _ => throw new InvalidOperationException($"A purchase cannot be answered with {answer.Outcome}."),
        };

    /// <summary>A broken invariant is a bug: fail loudly rather than carry on selling.</summary>
    private void CheckInvariants()
    {
        foreach (var channel in Enum.GetValues<Channel>())
        {
            if (head!.Sold[channel] > policy!.Caps[channel] || head.Sold[channel] < 0 || reserved[channel] < 0)
            {
                throw new InvalidOperationException(
                    $"{programMonth} {channel.ToName()}: sold {head.Sold[channel]}, reserved {reserved[channel]}, " +
                    $"cap {policy.Caps[channel]}.");
            }
        }
    }

    /// <summary>
    /// Re-reads the head after a commit whose outcome is unknown, and re-admits what is waiting against it:
    /// if that commit did land, less is left, and a waiting purchase that no longer fits is sold out.
    /// Called only between batches, when every reservation belongs to a queued purchase.
    /// </summary>
    private async Task ReloadHeadAsync()
    {
        var stored = await store.ReadHeadAsync(programMonth);
        if (stored is null || stored.Epoch != head!.Epoch)
        {
            throw new LedgerFencedException($"{programMonth} was claimed by epoch {stored?.Epoch}.", new TimeoutException());
        }

        head = stored;
        // A commit whose answer was lost may have added buyers.
        buyers = await store.ReadBuyersAsync(programMonth, BuyersTrackedMax);
        headInDoubt = false;
        reserved = ChannelAmounts.Zero;
        var caps = CommitLimits().Caps;
        for (var node = queue.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value is PendingPurchase purchase)
            {
                var channel = purchase.Request.Channel;
                var left = caps[channel] - head.Sold[channel] - reserved[channel];
                if (purchase.Request.Amount > left)
                {
                    queue.Remove(node);
                    Settle([purchase]);
                    purchase.Answer.TrySetResult(
                        PurchaseResult.SoldOut(Math.Max(0, left)) with { CitizenHasBought = HasBought(purchase.CitizenId) });
                }
                else
                {
                    reserved = reserved.Add(channel, purchase.Request.Amount);
                }
            }

            node = next;
        }
    }

    private void BecomeFenced(string reason)
    {
        fenced = true;
        LogFenced(programMonth.Key, reason);
        AnswerQueueBusy();
        this.DeactivateOnIdle();
    }

    /// <summary>Answers everything still queued Busy (nothing of it was written) and releases its reservations.</summary>
    private void AnswerQueueBusy()
    {
        foreach (var item in queue)
        {
            if (item is PendingPurchase purchase)
            {
                reserved = reserved.Add(purchase.Request.Channel, -purchase.Request.Amount);
                Settle([purchase]);
            }

            item.AnswerBusy();
        }

        queue.Clear();
    }

    /// <summary>Forgets answered purchases by key, so a later retry with the key is judged on its own.</summary>
    private void Settle(List<PendingPurchase> purchases)
    {
        foreach (var purchase in purchases)
        {
            var key = (purchase.Request.CitizenId, purchase.Key);
            if (pendingByKey.GetValueOrDefault(key) == purchase)
            {
                pendingByKey.Remove(key);
            }

            if (purchase.Request.SoldBy is not null && pendingByTellerKey.GetValueOrDefault(purchase.Key) == purchase)
            {
                pendingByTellerKey.Remove(purchase.Key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Program-month {Key} is owned by a newer activation; this one stops: {Reason}")]
    private partial void LogFenced(string key, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Program-month {Key} stopped: an invariant broke after a commit")]
    private partial void LogBroken(Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} items of program-month {Key} failed")]
    private partial void LogCommitFailed(Exception exception, string key, int count);
}
