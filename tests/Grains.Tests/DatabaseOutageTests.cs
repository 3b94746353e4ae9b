using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Ledger.Testing;
using Xunit.Abstractions;

namespace Ledger.Grains.Tests;

/// <summary>
/// The database becomes unreachable for a moment: purchases fail cleanly (an error reaches the caller,
/// nothing is half-written), and once it is back a retry with the same key confirms exactly once. The
/// silos reach the ledger tables through a <see cref="TcpProxy"/> the test cuts; grain state and the
/// checks below (<see cref="LedgerTestCluster.Store"/>) go to the database directly.
/// </summary>
[Trait("Category", TestCategories.Failover)]
public sealed class DatabaseOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Amount = 10_000;
    private const long Cap = 5_000_000;

    /// <summary>A purchase made while the database is unreachable must have failed within this.</summary>
    private static readonly TimeSpan FailureTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a client keeps retrying once the database is back.</summary>
    private static readonly TimeSpan RetryDeadline = TimeSpan.FromSeconds(15);

    /// <summary>The longest a test waits for an event it set up.</summary>
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    private TcpProxy proxy = null!;
    private LedgerTestCluster ledger = null!;

    public async Task InitializeAsync()
    {
        proxy = TcpProxy.To(TestDatabase.ConnectionString);
        // Short timeouts, so a cut that leaves a connection hanging is still noticed quickly.
        var throughProxy = proxy.Reroute(TestDatabase.ConnectionString, b =>
        {
            b.Timeout = 3;
            b.CommandTimeout = 5;
        });
        ledger = await LedgerTestCluster.StartAsync(
            "database-outage", silos: 1, ledgerConnection: throughProxy, responseTimeout: TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        await ledger.DisposeAsync();
        await proxy.DisposeAsync();
    }

    [Fact]
    public async Task Purchase_while_the_database_is_unreachable_fails_cleanly_and_its_retry_confirms_once_it_is_back()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Cap));
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount)).IsConfirmed);
        Assert.True(proxy.Forwarded > 0, "The ledger is not reached through the proxy.");
        var headBefore = await ledger.Store.ReadHeadAsync(sale);

        proxy.Cut();
        var request = Scenario.Request(sale, Scenario.NewCitizen(), Amount);
        var (outcome, error, took) = await AttemptAsync(request);

        output.WriteLine($"While cut: {outcome?.ToString() ?? error} after {took.TotalMilliseconds:F0} ms");
        Assert.NotEqual(PurchaseOutcome.Confirmed, outcome);
        Assert.Equal(headBefore, await ledger.Store.ReadHeadAsync(sale));
        await AssertNotRecordedAsync(sale, request.CitizenId);
        AssertConsistent(await ledger.Store.AuditAsync(sale, Scenario.Limit), entries: 1);
        Assert.Equal(Amount, (await ledger.SnapshotAsync(sale)).Mobile.Sold);

        proxy.Restore();
        var retried = await FinalAnswerAsync(request);

        Assert.Equal(PurchaseOutcome.Confirmed, retried.Outcome);
        Assert.Equal(2, retried.Purchase!.Sequence);
        var history = await ledger.Store.ReadCitizenHistoryAsync(sale, request.CitizenId);
        var (used, purchases) = (history.Used, history.PurchasesByKey.Values);
        Assert.Equal(Amount, used);
        Assert.Equal([retried.Purchase.PurchaseId], purchases.Select(p => p.PurchaseId));
        Assert.Equal(retried.Purchase, (await ledger.BuyAsync(request)).Purchase);
        await AssertFiguresAsync(sale, purchases: 2);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task Purchases_while_the_database_is_unreachable_all_fail_cleanly_and_none_is_half_written()
    {
        const int buyers = 40;
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Cap));
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount)).IsConfirmed);
        var headBefore = await ledger.Store.ReadHeadAsync(sale);

        proxy.Cut();
        var requests = Enumerable.Range(0, buyers).Select(_ => Scenario.Request(sale, Scenario.NewCitizen(), Amount)).ToArray();
        var attempts = await Task.WhenAll(requests.Select(AttemptAsync));

        output.WriteLine(
            $"While cut: {string.Join(", ", attempts.GroupBy(a => a.Outcome?.ToString() ?? a.Error).Select(g => $"{g.Count()} x {g.Key}"))}; " +
            $"slowest {attempts.Max(a => a.Took).TotalMilliseconds:F0} ms");
        Assert.All(attempts, a => Assert.NotEqual(PurchaseOutcome.Confirmed, a.Outcome));
        Assert.Equal(headBefore, await ledger.Store.ReadHeadAsync(sale));
        foreach (var request in requests)
        {
            await AssertNotRecordedAsync(sale, request.CitizenId);
        }

        AssertConsistent(await ledger.Store.AuditAsync(sale, Scenario.Limit), entries: 1);

        proxy.Restore();
        var retried = await Task.WhenAll(requests.Select(FinalAnswerAsync));

        Assert.All(retried, r => Assert.Equal(PurchaseOutcome.Confirmed, r.Outcome));
        Assert.Equal(Enumerable.Range(2, buyers).Select(s => (long)s), retried.Select(r => r.Purchase!.Sequence).Order());
        foreach (var (request, answer) in requests.Zip(retried))
        {
            var history = await ledger.Store.ReadCitizenHistoryAsync(sale, request.CitizenId);
        var (used, purchases) = (history.Used, history.PurchasesByKey.Values);
            Assert.Equal(Amount, used);
            Assert.Equal([answer.Purchase!.PurchaseId], purchases.Select(p => p.PurchaseId));
        }

        await AssertFiguresAsync(sale, purchases: 1 + buyers);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Database_cut_mid_commit_leaves_each_purchase_recorded_once_or_not_at_all_and_retries_settle_which(bool tellers)
    {
        const int buyers = 300;
        const int confirmationsBeforeCut = 50;
        const int failuresBeforeRestore = 20;
        const int clientsInFlightMax = 32;
        var policy = Scenario.OpenPolicy(ledger, mobileCap: Cap, paperCap: tellers ? Cap : 0);
        var sale = await ledger.OpenSaleAsync(policy);
        var confirmed = 0;
        var failed = 0;
        var enoughConfirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var enoughFailed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new SemaphoreSlim(clientsInFlightMax);
        // With tellers, every other purchase is sold at one of four counters, each numbering its sales from
        // 1: the same key at every counter, and each counter's retries must find its own sale.
        var clients = Enumerable.Range(0, buyers)
            .Select(i => new RetryingClient(tellers && i % 2 == 1
                ? Scenario.Request(sale, Scenario.NewCitizen(), Amount, Channel.Paper, key: $"sale-{i / 8}") with
                {
                    SoldBy = $"counter-{i / 2 % 4}",
                }
                : Scenario.Request(sale, Scenario.NewCitizen(), Amount)))
            .ToArray();

        void OnConfirmed()
        {
            if (Interlocked.Increment(ref confirmed) == confirmationsBeforeCut)
            {
                enoughConfirmed.TrySetResult();
            }
        }

        void OnFailed()
        {
            if (Interlocked.Increment(ref failed) == failuresBeforeRestore)
            {
                enoughFailed.TrySetResult();
            }
        }

        var clock = Stopwatch.StartNew();
        using var giveUp = new CancellationTokenSource(RetryDeadline + EventTimeout);
        var running = clients
            .Select(c => c.RunAsync(
                ledger.Grains, RetryPolicy.Steady, clock, giveUp.Token, gate,
                onFinal: (client, _) =>
                {
                    if (client.Final!.IsConfirmed)
                    {
                        OnConfirmed();
                    }
                },
                onFailed: OnFailed))
            .ToArray();
        await enoughConfirmed.Task.WaitAsync(EventTimeout);
        proxy.Cut();
        var cutAt = Stopwatch.StartNew();
        await enoughFailed.Task.WaitAsync(EventTimeout);
        proxy.Restore();
        var restoredAfter = cutAt.Elapsed;
        await Task.WhenAll(running);

        var unanswered = clients.Where(c => c.Final is null).Select(c => c.Describe()).ToArray();
        Assert.True(unanswered.Length == 0, $"{unanswered.Length} requests got no final answer: {string.Join("; ", unanswered.Take(3))}");
        Assert.All(clients, c => Assert.Equal(PurchaseOutcome.Confirmed, c.Final!.Outcome));
        var replays = await Task.WhenAll(clients.Select(c => ledger.BuyAsync(c.Request)));
        Assert.Equal(clients.Select(c => c.Final!.Purchase), replays.Select(r => r.Purchase));
        var entries = await ledger.Store.ReadEntriesAsync(sale, 0, buyers + 1);
        Assert.Equal(buyers, entries.Count);
        Assert.Equal(
            clients.Select(c => (c.Request.CitizenId, c.Final!.Purchase!.PurchaseId)).Order(),
            entries.Select(e => (e.CitizenId, e.PurchaseId)).Order());
        await AssertFiguresAsync(sale, purchases: buyers, paper: tellers ? buyers / 2 : 0);
        await ledger.AssertAuditConsistentAsync(sale);
        Assert.Empty(await ledger.AuditAsync(sale, policy, clients));
        output.WriteLine(
            $"cut after {confirmationsBeforeCut} confirmations, restored after {restoredAfter.TotalMilliseconds:F0} ms; " +
            $"failed attempts {clients.Sum(c => c.Failures)}, most attempts by one client {clients.Max(c => c.Attempts)}");
    }

    [Fact]
    public async Task Purchase_past_the_cap_after_an_outage_is_answered_sold_out()
    {
        const long cap = 2 * Amount;
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: cap, paperCap: 0));
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount)).IsConfirmed);
        proxy.Cut();
        var last = Scenario.Request(sale, Scenario.NewCitizen(), Amount);
        Assert.NotEqual(PurchaseOutcome.Confirmed, (await AttemptAsync(last)).Outcome);
        proxy.Restore();
        Assert.Equal(PurchaseOutcome.Confirmed, (await FinalAnswerAsync(last)).Outcome);

        var tooLate = await FinalAnswerAsync(Scenario.Request(sale, Scenario.NewCitizen(), Amount));

        Assert.Equal(PurchaseOutcome.SoldOut, tooLate.Outcome);
        Assert.Equal(0, tooLate.Remaining);
        await AssertFiguresAsync(sale, purchases: 2, cap);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task Retry_after_a_failed_attempt_finds_the_purchase_even_when_the_citizen_grain_knew_its_history()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: 2 * Amount));
        var request = Scenario.Request(sale, Scenario.NewCitizen(), Amount);
        var citizen = ledger.Grains.GetGrain<ICitizenGrain>(request.CitizenId);
        Assert.Empty((await citizen.GetMonthAsync(sale))!.Purchases);

        proxy.Cut();
        var (outcome, _, _) = await AttemptAsync(request);
        proxy.Restore();
        // The app reads the month before the attempt lands (as one still pending would), so the grain
        // holds a history without it again.
        Assert.Empty((await citizen.GetMonthAsync(sale))!.Purchases);
        // The attempt lands after all, as a commit whose answer was lost does; then the channel sells out.
        var landed = await ledger.City(sale).PurchaseAsync(new PurchaseOrder(request, UsedAtLeast: 0));
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount)).IsConfirmed);
        var retry = await ledger.BuyAsync(request);

        Assert.NotEqual(PurchaseOutcome.Confirmed, outcome);
        Assert.True(landed.IsConfirmed);
        Assert.Equal(landed.Purchase, retry.Purchase);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task A_purchase_turned_away_busy_while_the_database_stalls_can_be_retried_with_its_key()
    {
        const int reads = 2 * CitizenGrain.InFlightMax;
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Cap));
        var citizen = ledger.Grains.GetGrain<ICitizenGrain>(Scenario.NewCitizen());

        // With the database stalled, reads of the month queue up in the citizen grain until it refuses
        // the next one: from then on its queue for this program-month is full and cannot drain.
        proxy.Pause();
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = Enumerable.Range(0, reads).Select(async _ =>
        {
            try
            {
                await citizen.GetMonthAsync(sale);
            }
            catch (LedgerUnavailableException)
            {
                full.TrySetResult();
            }
            catch (TimeoutException)
            {
                // Stalled past Orleans' response timeout: expected for the reads at the head of the queue.
            }
        }).ToArray();
        await full.Task.WaitAsync(EventTimeout);
        var request = Scenario.Request(sale, citizen.GetPrimaryKeyString(), Amount);
        var busy = await ledger.BuyAsync(request);
        proxy.Resume();
        await Task.WhenAll(waiting);
        var retried = await FinalAnswerAsync(request);

        Assert.Equal(PurchaseOutcome.Busy, busy.Outcome);
        Assert.Equal(PurchaseOutcome.Confirmed, retried.Outcome);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task After_a_sell_out_a_citizen_who_never_bought_is_turned_away_without_the_database()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Amount));
        var buyer = Scenario.Request(sale, Scenario.NewCitizen(), Amount);
        Assert.True((await ledger.BuyAsync(buyer)).IsConfirmed);
        await ledger.Cluster.DeactivateAsync(ledger.Grains.GetGrain<ICitizenGrain>(buyer.CitizenId));

        proxy.Cut();
        var newcomer = await ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount);
        var (buyerRetry, buyerError, _) = await AttemptAsync(buyer);
        proxy.Restore();

        // The newcomer is answered from memory; the buyer, whose grain forgot, needs the history to be
        // told its purchase (and not SoldOut), so that answer waits for the database.
        Assert.Equal(PurchaseOutcome.SoldOut, newcomer.Outcome);
        Assert.Equal(0, newcomer.Remaining);
        Assert.True(buyerRetry is null, $"Without the database the buyer's retry was answered {buyerRetry}.");
        Assert.Equal(nameof(LedgerUnavailableException), buyerError);
        Assert.Equal(PurchaseOutcome.Confirmed, (await ledger.BuyAsync(buyer)).Outcome);
    }

    /// <summary>One attempt, which must end (answer or error) within <see cref="FailureTimeout"/>.</summary>
    private async Task<(PurchaseOutcome? Outcome, string? Error, TimeSpan Took)> AttemptAsync(PurchaseRequest request)
    {
        var clock = Stopwatch.StartNew();
        var call = ledger.BuyAsync(request);
        try
        {
            var result = await call.WaitAsync(FailureTimeout);
            return (result.Outcome, null, clock.Elapsed);
        }
        catch (Exception e) when (call.IsCompleted)
        {
            return (null, e.GetType().Name, clock.Elapsed);
        }
    }

    private Task<PurchaseResult> FinalAnswerAsync(PurchaseRequest request) =>
        RetryingClient.FinalAnswerAsync(ledger.Grains, request, RetryDeadline);

    private async Task AssertNotRecordedAsync(ProgramMonth sale, string citizen)
    {
        var history = await ledger.Store.ReadCitizenHistoryAsync(sale, citizen);
        var (used, purchases) = (history.Used, history.PurchasesByKey.Values);
        Assert.Equal(0, used);
        Assert.Empty(purchases);
    }

    /// <summary>The stored head, and the grain's live figures, agree with the number of purchases made.</summary>
    /// <param name="paper">How many of the purchases are paper; the others are mobile, under <paramref name="cap"/>.</param>
    private async Task AssertFiguresAsync(ProgramMonth sale, int purchases, long cap = Cap, int paper = 0)
    {
        var head = await ledger.Store.ReadHeadAsync(sale);
        Assert.Equal(purchases + 1, head!.NextSequence);
        Assert.Equal(((purchases - paper) * Amount, paper * Amount), (head.Sold.Mobile, head.Sold.Paper));
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal(purchases, snapshot.Entries);
        // Nothing is being committed now, so what remains is exactly the cap less what is sold.
        var sold = (purchases - paper) * Amount;
        Assert.Equal(new ChannelState(cap, sold, cap - sold, sold < cap ? SaleStatus.Open : SaleStatus.SoldOut), snapshot.Mobile);
    }

    /// <summary>The audit as the grain would judge it, from figures read directly (the grain cannot reach them).</summary>
    private static void AssertConsistent(AuditFigures? figures, long entries)
    {
        Assert.NotNull(figures);
        Assert.Equal(entries, figures.Entries);
        Assert.Equal(figures.Entries, figures.MaxSequence);
        Assert.Equal(figures.MaxSequence + 1, figures.HeadNextSequence);
        Assert.Equal(figures.LedgerSoldMobile, figures.HeadSoldMobile);
        Assert.Equal(figures.LedgerSoldPaper, figures.HeadSoldPaper);
        Assert.Equal(0, figures.CitizensOverLimit);
    }
}
