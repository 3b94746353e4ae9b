using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>
/// Many program-months' batches in one transaction (db/0009_commit_many.sql, <see cref="SiloCommitter"/>): each
/// still fenced by its own head and answered on its own, a refused one failing alone.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class SiloCommitTests(ClusterFixture fixture)
{
    private const long Unit = 10_000;
    private static readonly CommitLimits Limits = new(Scenario.Limit, new ChannelAmounts(1_000 * Unit, 1_000 * Unit));

    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task One_transaction_commits_each_batch_on_its_own_and_a_fenced_one_or_one_past_its_cap_fails_alone()
    {
        var (fenced, overCap, sound) = (Scenario.NewProgramMonth(ledger), Scenario.NewProgramMonth(ledger), Scenario.NewProgramMonth(ledger));
        var older = (await ledger.Store.ClaimAsync(fenced, create: true))!;
        var newer = (await ledger.Store.ClaimAsync(fenced, create: false))!;
        var overCapHead = (await ledger.Store.ClaimAsync(overCap, create: true))!;
        var soundHead = (await ledger.Store.ClaimAsync(sound, create: true))!;
        var at = ledger.Clock.GetUtcNow();
        var fallbacks = new ConcurrentQueue<string?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == LedgerMetrics.Name && instrument.Name == "ledger.commit.fallbacks")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => fallbacks.Enqueue(tags[0].Value as string));
        listener.Start();

        var outcomes = await ledger.Store.CommitManyAsync(
        [
            new BatchCommit(sound, soundHead, Limits, [], [Purchase("sound")], at),
            new BatchCommit(overCap, overCapHead, new CommitLimits(Scenario.Limit, new ChannelAmounts(Unit / 2, 0)), [], [Purchase("over")], at),
            new BatchCommit(fenced, older, Limits, [], [Purchase("fenced")], at),
        ]);

        var confirmed = Assert.Single(outcomes[0].Result!.Purchases);
        Assert.Equal((CommitOutcome.Confirmed, soundHead.NextSequence), (confirmed.Outcome, confirmed.Sequence));
        Assert.Equal("LB002", Assert.IsType<LedgerBatchRefusedException>(outcomes[1].Failure).SqlState);
        Assert.IsType<LedgerFencedException>(outcomes[2].Failure);
        Assert.Null(outcomes[1].Result);
        Assert.Null(outcomes[2].Result);
        // The refused batches wrote nothing; the sound one moved its head.
        Assert.Equal(overCapHead, await ledger.Store.ReadHeadAsync(overCap));
        Assert.Equal(newer, await ledger.Store.ReadHeadAsync(fenced));
        Assert.Equal(soundHead with { NextSequence = soundHead.NextSequence + 1, Sold = new ChannelAmounts(Unit, 0) },
            await ledger.Store.ReadHeadAsync(sound));
        Assert.Empty(await ledger.Store.ReadEntriesAsync(overCap, 0, 10));
        Assert.Empty(await ledger.Store.ReadEntriesAsync(fenced, 0, 10));
        Assert.Single(await ledger.Store.ReadEntriesAsync(sound, 0, 10));
        // The cap is checked after the writes, so the statement for all of them failed and they went one by one.
        Assert.Contains("LB002", fallbacks);
    }

    [Fact]
    public async Task A_stale_activations_batch_beside_the_new_ones_in_one_transaction_is_fenced_and_the_new_one_commits()
    {
        var sale = Scenario.NewProgramMonth(ledger);
        var older = (await ledger.Store.ClaimAsync(sale, create: true))!;
        var newer = (await ledger.Store.ClaimAsync(sale, create: false))!;
        var at = ledger.Clock.GetUtcNow();

        var outcomes = await ledger.Store.CommitManyAsync(
        [
            new BatchCommit(sale, newer, Limits, [], [Purchase("new")], at),
            new BatchCommit(sale, older, Limits, [], [Purchase("stale")], at),
        ]);

        Assert.Equal((CommitOutcome.Confirmed, 1L), (outcomes[0].Result!.Purchases[0].Outcome, outcomes[0].Result!.Purchases[0].Sequence!.Value));
        Assert.IsType<LedgerFencedException>(outcomes[1].Failure);
        Assert.Equal("new", Assert.Single(await ledger.Store.ReadEntriesAsync(sale, 0, 10)).CitizenId);
    }

    [Fact]
    public async Task Cancels_and_purchases_of_several_program_months_in_one_transaction_are_numbered_each_in_its_own()
    {
        var (first, second) = (Scenario.NewProgramMonth(ledger), Scenario.NewProgramMonth(ledger));
        var firstHead = (await ledger.Store.ClaimAsync(first, create: true))!;
        var secondHead = (await ledger.Store.ClaimAsync(second, create: true))!;
        var at = ledger.Clock.GetUtcNow();
        var citizen = Scenario.NewCitizen();
        var bought = await ledger.Store.CommitManyAsync(
        [
            new BatchCommit(first, firstHead, Limits, [], [Purchase(citizen) with { Amount = Scenario.Limit }, Purchase("other")], at),
            new BatchCommit(second, secondHead, Limits, [], [Purchase(citizen)], at),
        ]);
        var firstPurchase = bought[0].Result!.Purchases[0];
        firstHead = (await ledger.Store.ReadHeadAsync(first))!;
        secondHead = (await ledger.Store.ReadHeadAsync(second))!;

        // The citizen's first purchase cancelled and another bought in its room, beside a purchase elsewhere.
        var cancel = new PendingFollowUp(FollowUp.Cancel, firstPurchase.Sequence!.Value, citizen, Channel.Mobile, Scenario.Limit);
        var outcomes = await ledger.Store.CommitManyAsync(
        [
            new BatchCommit(second, secondHead, Limits, [], [Purchase(Scenario.NewCitizen())], at),
            new BatchCommit(first, firstHead, Limits, [cancel], [Purchase(citizen), Purchase(Scenario.NewCitizen())], at),
        ]);

        var elsewhere = Assert.Single(outcomes[0].Result!.Purchases);
        Assert.Equal((CommitOutcome.Confirmed, 2L), (elsewhere.Outcome, elsewhere.Sequence));
        var (cancelled, again) = (Assert.Single(outcomes[1].Result!.FollowUps), outcomes[1].Result!.Purchases);
        Assert.Equal((CommitOutcome.Cancelled, 3L, 0L), (cancelled.Outcome, cancelled.Sequence, cancelled.CitizenUsed));
        Assert.Equal([(CommitOutcome.Confirmed, 4L, Unit), (CommitOutcome.Confirmed, 5L, Unit)],
            again.Select(p => (p.Outcome, p.Sequence!.Value, p.CitizenUsed)));
        Assert.Equal(firstHead with { NextSequence = 6, Sold = new ChannelAmounts(3 * Unit, 0) }, await ledger.Store.ReadHeadAsync(first));
        Assert.Equal(secondHead with { NextSequence = 3, Sold = new ChannelAmounts(2 * Unit, 0) }, await ledger.Store.ReadHeadAsync(second));
    }

    [Fact]
    public async Task Batches_handed_in_together_share_transactions_and_each_gets_its_own_answer()
    {
        const int programMonths = 150;
        var sales = Enumerable.Range(0, programMonths).Select(_ => Scenario.NewProgramMonth(ledger)).ToArray();
        var heads = new LedgerHead[programMonths];
        for (var i = 0; i < programMonths; i++)
        {
            heads[i] = (await ledger.Store.ClaimAsync(sales[i], create: true))!;
        }

        // One of them is claimed by a newer activation elsewhere.
        await ledger.Store.ClaimAsync(sales[7], create: false);
        var committer = new SiloCommitter(ledger.Store);
        var at = ledger.Clock.GetUtcNow();

        var commits = Enumerable.Range(0, programMonths)
            .Select(i => committer.CommitAsync(new BatchCommit(sales[i], heads[i], Limits, [], [Purchase($"c{i}"), Purchase($"d{i}")], at)))
            .ToArray();

        await Assert.ThrowsAsync<LedgerFencedException>(() => commits[7]);
        foreach (var i in Enumerable.Range(0, programMonths).Where(i => i != 7))
        {
            var result = await commits[i];
            Assert.Equal([1L, 2L], result.Purchases.Select(p => p.Sequence!.Value));
            Assert.All(result.Purchases, p => Assert.Equal(CommitOutcome.Confirmed, p.Outcome));
        }

        // At most a few transactions took one batch alone before the others were handed in; the rest were shared.
        Assert.InRange(committer.Transactions, (programMonths + LedgerStore.BatchesPerTransactionMax - 1) / LedgerStore.BatchesPerTransactionMax,
            SiloCommitter.TransactionsMax + 2 * ((programMonths / LedgerStore.BatchesPerTransactionMax) + 1));
        Assert.Empty(await ledger.Store.ReadEntriesAsync(sales[7], 0, 10));
    }

    [Fact]
    public async Task A_program_month_fenced_while_others_sell_on_the_same_silo_does_not_fail_them()
    {
        var selling = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ledger.OpenSaleAsync(null)));
        var fenced = await ledger.OpenSaleAsync();
        Assert.True((await ledger.BuyAsync(fenced, Scenario.NewCitizen(), Unit)).IsConfirmed);
        await ledger.Store.ClaimAsync(fenced, create: false);

        var buying = selling.SelectMany(s => Enumerable.Range(0, 20).Select(_ => ledger.BuyAsync(s, Scenario.NewCitizen(), Unit))).ToArray();
        var stale = ledger.BuyAsync(fenced, Scenario.NewCitizen(), Unit);

        Assert.All(await Task.WhenAll(buying), a => Assert.True(a.IsConfirmed));
        Assert.Equal(PurchaseOutcome.Busy, (await stale).Outcome);
        Assert.True((await ledger.BuyAsync(fenced, Scenario.NewCitizen(), Unit)).IsConfirmed);
        foreach (var sale in selling.Append(fenced))
        {
            await ledger.AssertAuditConsistentAsync(sale);
        }
    }

    [Fact]
    public async Task Refusals_of_many_program_months_written_together_stay_each_keys_answer_in_its_own_program_month()
    {
        var sales = Enumerable.Range(0, 3).Select(_ => Scenario.NewProgramMonth(ledger)).ToArray();
        var heads = new List<LedgerHead>();
        foreach (var sale in sales)
        {
            heads.Add((await ledger.Store.ClaimAsync(sale, create: true))!);
        }

        var committer = new SiloCommitter(ledger.Store);
        var at = ledger.Clock.GetUtcNow();
        // The same citizen and key refused in each program-month, with each its own figure.
        var claim = new Claim("refused", "k", Channel.Mobile, Unit);
        await Task.WhenAll(sales.Select((sale, i) => committer.WriteRejectionsAsync(
            sale, [new Rejection(claim, new Answer(PurchaseOutcome.SoldOut, Remaining: i * Unit), at)])));

        for (var i = 0; i < sales.Length; i++)
        {
            var retried = await ledger.Store.CommitAsync(
                sales[i], heads[i], Limits, [], [new CommitPurchase("refused", "k", Channel.Mobile, Unit, Unit * 9 / 10)], at);
            var answer = Assert.Single(retried.Purchases);
            Assert.Equal((CommitOutcome.Rejected, PurchaseOutcome.SoldOut, i * Unit), (answer.Outcome, answer.RejectedAs, answer.Remaining));
        }
    }

    private static CommitPurchase Purchase(string citizen) => new(citizen, Scenario.NewKey(), Channel.Mobile, Unit, Unit * 9 / 10);
}
