using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Npgsql;

namespace Ledger.Grains.Tests;

/// <summary>
/// One program-month judged twice: by the sale core (a <see cref="CityMonthSale"/> and a
/// <see cref="CitizenMonth{TPurchase}"/> per citizen, learning every answer) and by ledger_commit on PostgreSQL.
/// Each step asserts that the two agree; see <see cref="SaleDifferentialTests"/>. Under a policy that takes
/// payment, purchases are holds that later steps post, void or expire; the twins also keep what each payer has
/// paid net (posted prices less refunds owed), which must equal their paid vouchers' prices in the database.
/// </summary>
internal sealed class SaleTwins
{
    private const long Unit = 10_000;
    private const string CapSqlState = "LB002";

    private readonly ProgramMonth programMonth;
    private readonly LedgerStore store;
    private readonly NpgsqlDataSource dataSource;
    private readonly DateTimeOffset now;
    private readonly Dictionary<string, CitizenMonth<Recorded>> citizens = new(StringComparer.Ordinal);
    private readonly List<(string CitizenId, Recorded Purchase)> live = [];
    private readonly List<(string CitizenId, Recorded Purchase)> open = [];
    private readonly Dictionary<string, long> paidNet = new(StringComparer.Ordinal);

    // The refusals the core kept and the twin wrote to ledger_rejections (as the grain's writer does), by owner and key.
    private readonly Dictionary<(string Owner, string Key), Rejection> written = [];
    private CityMonthSale sale;
    private Rules rules;

    private SaleTwins(ProgramMonth programMonth, NpgsqlDataSource dataSource, LedgerHead head)
    {
        this.programMonth = programMonth;
        this.dataSource = dataSource;
        store = new LedgerStore(dataSource);
        now = programMonth.Start.AddDays(1);
        rules = RulesOf(mobileCap: 10 * Unit, paperCap: 6 * Unit, limit: 5 * Unit);
        sale = new CityMonthSale(head, new Buyers());
        sale.Enforce(rules);
    }

    public static async Task<SaleTwins> StartAsync(NpgsqlDataSource dataSource)
    {
        var programMonth = new ProgramMonth($"diff-{Guid.NewGuid():N}"[..30], "2026-12");
        var head = await new LedgerStore(dataSource).ClaimAsync(programMonth, create: true);
        return new SaleTwins(programMonth, dataSource, head!);
    }

    public Task RunAsync(SaleStep step) => step switch
    {
        SaleStep.Buy buy => BuyAsync(buy),
        SaleStep.Burst burst => BurstAsync(burst.Buys),
        SaleStep.Cancel cancel => CancelAsync(cancel.Pick),
        SaleStep.ChangePolicy change => ChangePolicyAsync(change),
        SaleStep.Fence => FenceAsync(),
        SaleStep.Settle settle => SettleAsync(settle),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Unknown step."),
    };

    public async Task AssertCountersAgreeAsync(SaleStep step)
    {
        var head = await store.ReadHeadAsync(programMonth);
        Assert.True(sale.Head == head, $"After {step}: the core's head {sale.Head}, the database's {head}.");
        foreach (var (citizenId, month) in citizens)
        {
            var used = (await store.ReadCitizenHistoryAsync(programMonth, citizenId)).Used;
            Assert.True(month.UsedAtLeast == used, $"After {step}: {citizenId} used {month.UsedAtLeast} in the core, {used} in the database.");
        }

        var audit = await store.AuditAsync(programMonth, rules.CitizenMonthlyLimit);
        Assert.True(
            audit is { CitizensOverLimit: 0, OpenHoldsAstray: 0 } && audit.Entries == audit.MaxSequence
            && (audit.HeadHeldMobile, audit.HeadHeldPaper) == (audit.LedgerHeldMobile, audit.LedgerHeldPaper),
            $"After {step}: audit {audit}.");
        var owed = await PaidNetByCitizenAsync();
        Assert.True(
            paidNet.Where(p => p.Value != 0).OrderBy(p => p.Key).SequenceEqual(owed.OrderBy(p => p.Key)),
            $"After {step}: the twins' payers paid {string.Join(", ", paidNet)}, the database's {string.Join(", ", owed)}.");
    }

    /// <summary>
    /// Per payer, what the database says they paid net: the prices of posted holds less the refunds it owes for cancels.
    /// </summary>
    private async Task<Dictionary<string, long>> PaidNetByCitizenAsync()
    {
        await using var command = dataSource.CreateCommand(
            "SELECT citizen_id, sum(price) FROM (" +
            "SELECT citizen_id, price FROM ledger_entries WHERE program_id = $1 AND month = $2 AND kind = 'post' " +
            "UNION ALL SELECT citizen_id, -amount FROM payment_refunds WHERE program_id = $1 AND month = $2 AND reason = 'cancel') m " +
            "GROUP BY citizen_id HAVING sum(price) <> 0");
        command.Parameters.Add(new NpgsqlParameter { Value = programMonth.ProgramId });
        command.Parameters.Add(new NpgsqlParameter { Value = programMonth.Month });
        await using var reader = await command.ExecuteReaderAsync();
        var owed = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            owed[reader.GetString(0)] = reader.GetInt64(1);
        }

        return owed;
    }

    private async Task BuyAsync(SaleStep.Buy buy)
    {
        var claim = ClaimOf(buy);
        var month = CitizenOf(claim.CitizenId);
        if (month.FindBought(claim.Key) is { } first)
        {
            // The citizen grain answers a key that bought without the database; ledger_commit must answer alike.
            var replayed = await ProbeAsync(claim);
            var same = CitizenMonth<Recorded>.IsRetryOf(claim, first);
            Assert.True(
                same ? replayed is { Outcome: CommitOutcome.Duplicate } && replayed.Sequence == first.Sequence && replayed.Status == first.Status
                    : replayed is { Outcome: CommitOutcome.Conflict },
                $"{buy}: the core replays {first} ({(same ? "duplicate" : "conflict")}), the database answers {replayed}.");
            return;
        }

        var refusal = sale.Admit(
            claim, month.UsedAtLeast, now, 0, static (c, price, _) => new PendingPurchase(c, price), out _, month.IsExactFor(claim.Key));
        if (refusal is null)
        {
            await CommitQueuedAsync(buy);
            return;
        }

        await WriteRejectionsAsync();
        // A refused key (now, or before: the first refusal written wins, also over one judged afresh after a fence) is
        // answered by the database with its refusal.
        var stored = written.GetValueOrDefault((claim.SoldBy ?? claim.CitizenId, claim.Key));
        var answer = await ProbeAsync(claim);
        var agree = refusal.Outcome switch
        {
            _ when stored is not null => stored.IsRetryOf(claim) ? IsStored(answer, stored.Answer) : answer is { Outcome: CommitOutcome.Conflict },
            PurchaseOutcome.IdempotencyConflict => answer is { Outcome: CommitOutcome.Conflict },
            PurchaseOutcome.LimitExceeded => answer is { Outcome: CommitOutcome.LimitExceeded }
                && rules.CitizenMonthlyLimit - answer.CitizenUsed == refusal.Remaining,
            PurchaseOutcome.SoldOut => answer is null,
            _ => false,
        };
        Assert.True(agree, $"{buy}: the core refuses {refusal}, the database answers {answer?.ToString() ?? "over the cap"}.");
    }

    private async Task BurstAsync(SaleStep.Buy[] buys)
    {
        foreach (var buy in buys)
        {
            var claim = ClaimOf(buy);
            var month = CitizenOf(claim.CitizenId);
            if (month.FindBought(claim.Key) is null)
            {
                sale.Admit(
                    claim, month.UsedAtLeast, now, 0, static (c, price, _) => new PendingPurchase(c, price), out _, month.IsExactFor(claim.Key));
            }
        }

        await CommitQueuedAsync(buys);
        await WriteRejectionsAsync();
    }

    /// <summary>Writes what the core kept, as the grain's writer does in the background.</summary>
    private async Task WriteRejectionsAsync()
    {
        var batch = sale.Rejections.TakeUnwritten(int.MaxValue);
        await store.RecordRejectionsAsync(programMonth, batch);
        sale.Rejections.MarkWritten(batch);
        foreach (var rejection in batch)
        {
            written.TryAdd((rejection.Owner, rejection.Claim.Key), rejection);
        }
    }

    private static bool IsStored(CommitAnswer? answer, Answer refusal) =>
        answer is { Outcome: CommitOutcome.Rejected } && answer.RejectedAs == refusal.Outcome
        && answer.Remaining == refusal.Remaining && answer.OpensAt == refusal.OpensAt;

    /// <summary>
    /// Commits what the core queued, batch by batch. Within a batch each citizen appears once, so the usage the
    /// core knows is exact: an item over the limit is refused by both, and nothing admitted passes the cap.
    /// </summary>
    private async Task CommitQueuedAsync(object step)
    {
        while (sale.Queued > 0)
        {
            var batch = sale.TakeBatch();
            var result = await store.CommitAsync(
                programMonth, batch.Head, batch.Limits, batch.FollowUps,
                batch.Purchases.Select(CommitPurchase.Of).ToArray(), now);
            var expectedSequence = batch.Head.NextSequence + batch.FollowUps.Count;
            for (var i = 0; i < batch.Purchases.Count; i++)
            {
                var claim = batch.Purchases[i].Claim;
                var overLimit = rules.Check(claim, CitizenOf(claim.CitizenId).UsedAtLeast, long.MaxValue, now)?.Outcome
                    == PurchaseOutcome.LimitExceeded;
                var answer = result.Purchases[i];
                var status = rules.HoldSeconds > 0 ? PurchaseStatus.Pending : PurchaseStatus.Confirmed;
                // A key refused before a fence, which the new core does not remember: the database answers it.
                var refused = written.GetValueOrDefault((claim.SoldBy ?? claim.CitizenId, claim.Key));
                var agree = refused is not null
                    ? refused.IsRetryOf(claim) ? IsStored(answer, refused.Answer) : answer.Outcome == CommitOutcome.Conflict
                    : overLimit
                    ? answer.Outcome == CommitOutcome.LimitExceeded
                    : answer.Outcome == CommitOutcome.Confirmed && answer.Sequence == expectedSequence++ && answer.Status == status;
                Assert.True(agree, $"{step}: the core expects {(overLimit ? "over the limit" : "confirmed")} for {claim}, the database answers {answer}.");
            }

            var answers = sale.Apply(batch, result);
            for (var i = 0; i < answers.Count; i++)
            {
                Learn(batch.Purchases[i].Claim, answers[i]);
            }
        }
    }

    private async Task CancelAsync(int pick)
    {
        if (live.Count == 0)
        {
            return;
        }

        var (citizenId, purchase) = live[pick % live.Count];
        live.RemoveAt(pick % live.Count);
        var answer = await FollowUpAsync(FollowUp.Cancel, citizenId, purchase);
        Assert.True(answer is { Outcome: CommitOutcome.Cancelled, Status: PurchaseStatus.Cancelled }, $"Cancel of {purchase}: {answer}.");
        CitizenOf(citizenId).LearnCancel(answer.CitizenUsed, purchase with { Status = PurchaseStatus.Cancelled });
        if (purchase.Paid)
        {
            paidNet[citizenId] -= purchase.Price;
        }
    }

    /// <summary>Ends the n-th open hold as the step says: the provider withdrew, refused, or never answered.</summary>
    private async Task SettleAsync(SaleStep.Settle settle)
    {
        if (open.Count == 0)
        {
            return;
        }

        var (citizenId, hold) = open[settle.Pick % open.Count];
        open.RemoveAt(settle.Pick % open.Count);
        var answer = await FollowUpAsync(settle.Kind, citizenId, hold, settle.Kind == FollowUp.Void ? "Refused." : null);
        var (outcome, status) = settle.Kind == FollowUp.Post
            ? (CommitOutcome.Posted, PurchaseStatus.Confirmed)
            : (settle.Kind == FollowUp.Void ? CommitOutcome.Voided : CommitOutcome.Expired, PurchaseStatus.Voided);
        Assert.True(answer.Outcome == outcome && answer.Status == status, $"{settle} of {hold}: {answer}.");
        var ended = hold with { Status = status };
        CitizenOf(citizenId).LearnCancel(answer.CitizenUsed, ended);
        if (settle.Kind == FollowUp.Post)
        {
            live.Add((citizenId, ended));
            paidNet[citizenId] = paidNet.GetValueOrDefault(citizenId) + hold.Price;
        }
    }

    /// <summary>Commits one follow-up through the core's queue, alone in its batch, and returns the database's answer.</summary>
    private async Task<CommitAnswer> FollowUpAsync(FollowUp kind, string citizenId, Recorded purchase, string? reason = null)
    {
        Assert.True(sale.TryQueue(new PendingFollowUp(kind, purchase.Sequence, citizenId, purchase.Channel, purchase.Amount, reason)));
        var batch = sale.TakeBatch();
        var result = await store.CommitAsync(programMonth, batch.Head, batch.Limits, batch.FollowUps, [], now);
        sale.Apply(batch, result);
        return result.FollowUps[0];
    }

    private async Task ChangePolicyAsync(SaleStep.ChangePolicy change)
    {
        var next = RulesOf(change.MobileCapUnits * Unit, change.PaperCapUnits * Unit, change.LimitUnits * Unit, change.Paid ? 600 : 0);
        sale.BeginChange(next);
        try
        {
            if (sale.CheckIncomingCaps() is var (channel, taken))
            {
                var sold = (await store.ReadHeadAsync(programMonth))!.Taken(channel);
                Assert.True(taken == sold && sold > next.Caps[channel], $"{change}: the core counts {taken} taken, the database {sold} sold and held.");
                return;
            }

            var usedMax = await store.ReadMaxCitizenUsedAsync(programMonth);
            var knownMax = citizens.Values.Select(c => c.UsedAtLeast).DefaultIfEmpty(0).Max();
            Assert.True(usedMax == knownMax, $"{change}: the core knows a usage of {knownMax} at most, the database {usedMax}.");
            if (next.CitizenMonthlyLimit >= usedMax)
            {
                rules = next;
                sale.Enforce(next);
            }
        }
        finally
        {
            sale.EndChange();
        }
    }

    private async Task FenceAsync()
    {
        var older = sale.Head;
        var newer = (await store.ClaimAsync(programMonth, create: false))!;
        await Assert.ThrowsAsync<LedgerFencedException>(() => store.CommitAsync(
            programMonth, older, Limits, [],
            [new CommitPurchase("fenced", "fenced", Channel.Mobile, Unit, Unit)], now));
        Assert.Equal(older with { Epoch = newer.Epoch }, newer);
        sale = new CityMonthSale(newer, await store.ReadBuyersAsync(programMonth, CityMonthSale.BuyersTrackedMax));
        sale.Enforce(rules);
    }

    /// <summary>Commits one purchase the core did not admit; null when the database refuses the batch (the cap).</summary>
    private async Task<CommitAnswer?> ProbeAsync(Claim claim)
    {
        try
        {
            var result = await store.CommitAsync(
                programMonth, sale.Head, Limits, [],
                [CommitPurchase.Of(new PendingPurchase(claim, rules.PriceOf(claim.Amount)))], now);
            var answer = result.Purchases[0];
            Assert.NotEqual(CommitOutcome.Confirmed, answer.Outcome);
            return answer;
        }
        catch (LedgerBatchRefusedException e) when (e.SqlState == CapSqlState)
        {
            return null;
        }
    }

    private void Learn(Claim claim, Answer answer)
    {
        var confirmed = answer.Entry is { Outcome: CommitOutcome.Confirmed, Sequence: { } sequence } entry
            ? new Recorded(sequence, entry.Channel, entry.Amount, entry.Price, entry.Status)
            : null;
        CitizenOf(claim.CitizenId).Learn(claim.Key, answer.CitizenUsed, confirmed);
        if (confirmed is not null)
        {
            (confirmed.Paid ? open : live).Add((claim.CitizenId, confirmed));
        }
    }

    private CitizenMonth<Recorded> CitizenOf(string citizenId)
    {
        if (!citizens.TryGetValue(citizenId, out var month))
        {
            // A citizen new to this program-month has no history: the core knows it exactly, as the grain does
            // when the sale says the citizen never bought.
            citizens[citizenId] = month = new CitizenMonth<Recorded>();
            month.LearnHistory(0, new Dictionary<string, Recorded>());
        }

        return month;
    }

    /// <summary>What the database holds a batch to outside a policy change: the policy in force.</summary>
    private CommitLimits Limits => new(rules.CitizenMonthlyLimit, rules.Caps);

    private Rules RulesOf(long mobileCap, long paperCap, long limit, int holdSeconds = 0) => new(
        new ChannelAmounts(mobileCap, paperCap), limit, Unit, DiscountBps: 1_000, PreQueueMinutes: 0, programMonth.End,
        _ => programMonth.Start, holdSeconds);

    private static Claim ClaimOf(SaleStep.Buy buy)
    {
        var teller = buy.Teller is { } t ? $"t{t}" : null;
        return new Claim($"c{buy.Citizen}", SaleKeys.Scoped($"k{buy.Key}", teller), buy.Channel, buy.Units * Unit, teller);
    }

    /// <summary>A purchase as the twins know it; <see cref="Paid"/> when it was a hold (whatever became of it).</summary>
    private sealed record Recorded(long Sequence, Channel Channel, long Amount, long Price, PurchaseStatus Status) : IRecordedPurchase
    {
        public bool Paid { get; init; } = Status == PurchaseStatus.Pending;
    }
}
