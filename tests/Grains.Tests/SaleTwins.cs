using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Npgsql;

namespace Ledger.Grains.Tests;

/// <summary>
/// One program-month judged twice: by the sale core (a <see cref="CityMonthSale"/> and a
/// <see cref="CitizenMonth{TPurchase}"/> per citizen, learning every answer) and by ledger_commit on PostgreSQL.
/// Each step asserts that the two agree; see <see cref="SaleDifferentialTests"/>.
/// </summary>
internal sealed class SaleTwins
{
    private const long Unit = 10_000;
    private const string CapSqlState = "LB002";

    private readonly ProgramMonth programMonth;
    private readonly LedgerStore store;
    private readonly DateTimeOffset now;
    private readonly Dictionary<string, CitizenMonth<Recorded>> citizens = new(StringComparer.Ordinal);
    private readonly List<(string CitizenId, Recorded Purchase)> live = [];
    private CityMonthSale sale;
    private Rules rules;

    private SaleTwins(ProgramMonth programMonth, LedgerStore store, LedgerHead head)
    {
        this.programMonth = programMonth;
        this.store = store;
        now = programMonth.Start.AddDays(1);
        rules = RulesOf(mobileCap: 10 * Unit, paperCap: 6 * Unit, limit: 5 * Unit);
        sale = new CityMonthSale(head, new Buyers());
        sale.Enforce(rules);
    }

    public static async Task<SaleTwins> StartAsync(LedgerStore store)
    {
        var programMonth = new ProgramMonth($"diff-{Guid.NewGuid():N}"[..30], "2026-12");
        var head = await store.ClaimAsync(programMonth, create: true);
        return new SaleTwins(programMonth, store, head!);
    }

    public Task RunAsync(SaleStep step) => step switch
    {
        SaleStep.Buy buy => BuyAsync(buy),
        SaleStep.Burst burst => BurstAsync(burst.Buys),
        SaleStep.Cancel cancel => CancelAsync(cancel.Pick),
        SaleStep.ChangePolicy change => ChangePolicyAsync(change),
        SaleStep.Fence => FenceAsync(),
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
        Assert.True(audit is { CitizensOverLimit: 0 } && audit.Entries == audit.MaxSequence, $"After {step}: audit {audit}.");
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
                same ? replayed is { Outcome: CommitOutcome.Duplicate } && replayed.Sequence == first.Sequence
                    : replayed is { Outcome: CommitOutcome.Conflict },
                $"{buy}: the core replays {first} ({(same ? "duplicate" : "conflict")}), the database answers {replayed}.");
            return;
        }

        var refusal = sale.Admit(claim, month.UsedAtLeast, now, 0, static (c, price, _) => new PendingPurchase(c, price), out _);
        if (refusal is null)
        {
            await CommitQueuedAsync(buy);
            return;
        }

        var answer = await ProbeAsync(claim);
        var agree = refusal.Outcome switch
        {
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
                sale.Admit(claim, month.UsedAtLeast, now, 0, static (c, price, _) => new PendingPurchase(c, price), out _);
            }
        }

        await CommitQueuedAsync(buys);
    }

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
                var agree = overLimit
                    ? answer.Outcome == CommitOutcome.LimitExceeded
                    : answer.Outcome == CommitOutcome.Confirmed && answer.Sequence == expectedSequence++;
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
        Assert.True(sale.TryQueue(new PendingFollowUp(FollowUp.Cancel, purchase.Sequence, citizenId, purchase.Channel, purchase.Amount)));
        var batch = sale.TakeBatch();
        var result = await store.CommitAsync(programMonth, batch.Head, batch.Limits, batch.FollowUps, [], now);
        sale.Apply(batch, result);
        CitizenOf(citizenId).LearnCancel(result.FollowUps[0].CitizenUsed, purchase with { Cancelled = true });
    }

    private async Task ChangePolicyAsync(SaleStep.ChangePolicy change)
    {
        var next = RulesOf(change.MobileCapUnits * Unit, change.PaperCapUnits * Unit, change.LimitUnits * Unit);
        sale.BeginChange(next);
        try
        {
            if (sale.CheckIncomingCaps() is var (channel, taken))
            {
                var sold = (await store.ReadHeadAsync(programMonth))!.Sold[channel];
                Assert.True(taken == sold && sold > next.Caps[channel], $"{change}: the core counts {taken} taken, the database {sold} sold.");
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
        catch (PostgresException e) when (e.SqlState == CapSqlState)
        {
            return null;
        }
    }

    private void Learn(Claim claim, Answer answer)
    {
        var confirmed = answer.Entry is { Outcome: CommitOutcome.Confirmed, Sequence: { } sequence } entry
            ? new Recorded(sequence, entry.Channel, entry.Amount, Cancelled: false)
            : null;
        CitizenOf(claim.CitizenId).Learn(claim.Key, answer.CitizenUsed, confirmed);
        if (confirmed is not null)
        {
            live.Add((claim.CitizenId, confirmed));
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

    private Rules RulesOf(long mobileCap, long paperCap, long limit) => new(
        new ChannelAmounts(mobileCap, paperCap), limit, Unit, DiscountBps: 1_000, PreQueueMinutes: 0, programMonth.End,
        _ => programMonth.Start);

    private static Claim ClaimOf(SaleStep.Buy buy)
    {
        var teller = buy.Teller is { } t ? $"t{t}" : null;
        return new Claim($"c{buy.Citizen}", SaleKeys.Scoped($"k{buy.Key}", teller), buy.Channel, buy.Units * Unit, teller);
    }

    private sealed record Recorded(long Sequence, Channel Channel, long Amount, bool Cancelled) : IRecordedPurchase;
}
