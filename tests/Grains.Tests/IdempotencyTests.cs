using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class IdempotencyTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task Retry_with_the_same_key_returns_the_first_purchase_and_buys_nothing_more()
    {
        var sale = await ledger.OpenSaleAsync();
        var request = Scenario.Request(sale, Scenario.NewCitizen(), 100_000);

        var first = await ledger.BuyAsync(request);
        var retry = await ledger.BuyAsync(request);

        Assert.True(first.IsConfirmed);
        Assert.Equal(first, retry);
        Assert.Equal(100_000, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
        Assert.Equal(1, (await ledger.SnapshotAsync(sale)).Entries);
    }

    [Fact]
    public async Task Double_taps_in_flight_at_once_buy_once()
    {
        var sale = await ledger.OpenSaleAsync();
        var request = Scenario.Request(sale, Scenario.NewCitizen(), 200_000);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ledger.BuyAsync(request)));

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.True(answers[0].IsConfirmed);
        Assert.Equal(1, (await ledger.SnapshotAsync(sale)).Entries);
    }

    [Fact]
    public async Task Same_key_with_another_body_is_a_conflict_and_buys_nothing()
    {
        var sale = await ledger.OpenSaleAsync();
        var request = Scenario.Request(sale, Scenario.NewCitizen(), 100_000);
        Assert.True((await ledger.BuyAsync(request)).IsConfirmed);

        var otherAmount = await ledger.BuyAsync(request with { Amount = 50_000 });
        var otherChannel = await ledger.BuyAsync(request with { Channel = Channel.Paper });

        Assert.Equal(PurchaseOutcome.IdempotencyConflict, otherAmount.Outcome);
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, otherChannel.Outcome);
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal((1L, 100_000L, 0L), (snapshot.Entries, snapshot.Mobile.Sold, snapshot.Paper.Sold));
    }

    [Fact]
    public async Task Retry_after_the_citizen_grain_is_gone_still_returns_the_first_purchase()
    {
        var sale = await ledger.OpenSaleAsync();
        var request = Scenario.Request(sale, Scenario.NewCitizen(), 100_000);
        var first = await ledger.BuyAsync(request);
        await ledger.Cluster.DeactivateAsync(ledger.Grains.GetGrain<ICitizenGrain>(request.CitizenId));

        var retry = await ledger.BuyAsync(request);
        var conflict = await ledger.BuyAsync(request with { Amount = 200_000 });

        Assert.Equal(first.Purchase, retry.Purchase);
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, conflict.Outcome);
        Assert.Equal(1, (await ledger.SnapshotAsync(sale)).Entries);
    }

    [Fact]
    public async Task The_database_refuses_a_second_purchase_with_a_key_even_past_the_citizen_grain()
    {
        var sale = await ledger.OpenSaleAsync();
        var request = Scenario.Request(sale, Scenario.NewCitizen(), 100_000);
        var first = await ledger.BuyAsync(request);

        // Straight to the program-month grain, as a second activation of the citizen grain would.
        var direct = await ledger.City(sale).PurchaseAsync(new PurchaseOrder(request, UsedAtLeast: 0));

        Assert.Equal(first.Purchase, direct.Purchase);
        Assert.Equal(100_000, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
    }

    [Fact]
    public async Task A_retry_while_the_first_attempt_still_waits_gets_its_answer_not_its_reservation()
    {
        // The cap fits one purchase, which the first attempt reserves; a retry whose caller gave up on the
        // first (a timeout) must not be told the cap is gone, nor buy again.
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: 10_000));
        var order = new PurchaseOrder(Scenario.Request(sale, Scenario.NewCitizen(), 10_000), UsedAtLeast: 0);
        var city = ledger.City(sale);

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => city.PurchaseAsync(order)));
        var conflict = await city.PurchaseAsync(order with { Request = order.Request with { Channel = Channel.Paper } });

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.True(answers[0].IsConfirmed);
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, conflict.Outcome);
        Assert.Equal(10_000, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
    }

    [Fact]
    public async Task Keys_are_per_citizen_so_two_citizens_may_use_the_same_key()
    {
        var sale = await ledger.OpenSaleAsync();

        var a = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000, key: "same-key");
        var b = await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000, key: "same-key");

        Assert.True(a.IsConfirmed && b.IsConfirmed);
        Assert.NotEqual(a.Purchase!.PurchaseId, b.Purchase!.PurchaseId);
    }

    [Fact]
    public async Task A_tellers_key_buys_once_whichever_citizen_it_names()
    {
        var sale = await ledger.OpenSaleAsync();
        var (a, b) = (Scenario.NewCitizen(), Scenario.NewCitizen());
        var sold = Scenario.Request(sale, a, 50_000, Channel.Paper) with { SoldBy = "teller-1" };

        var first = await ledger.BuyAsync(sold);
        var again = await ledger.BuyAsync(sold);
        var forAnother = await ledger.BuyAsync(sold with { CitizenId = b });
        var byAnotherTeller = await ledger.BuyAsync(sold with { CitizenId = b, SoldBy = "teller-2" });

        Assert.True(first.IsConfirmed);
        Assert.Equal(first, again);
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, forAnother.Outcome);
        Assert.True(byAnotherTeller.IsConfirmed);
        Assert.Equal(100_000, (await ledger.SnapshotAsync(sale)).Paper.Sold);
        Assert.Equal(50_000, (await ledger.Grains.GetGrain<ICitizenGrain>(b).GetMonthAsync(sale))!.Used);
    }

    [Fact]
    public async Task A_tellers_key_used_for_many_citizens_at_once_buys_for_one()
    {
        // Some arrive while the first is still waiting in the program-month grain, some after it committed.
        var sale = await ledger.OpenSaleAsync();
        var requests = Enumerable.Range(0, 20)
            .Select(_ => Scenario.Request(sale, Scenario.NewCitizen(), 10_000, Channel.Paper, key: "counter") with
            {
                SoldBy = "teller-many",
            })
            .ToArray();

        var answers = await Task.WhenAll(requests.Select(ledger.BuyAsync));

        Assert.Single(answers, a => a.IsConfirmed);
        Assert.Equal(19, answers.Count(a => a.Outcome == PurchaseOutcome.IdempotencyConflict));
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal((1L, 10_000L), (snapshot.Entries, snapshot.Paper.Sold));
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task A_tellers_key_reused_for_another_citizen_is_a_conflict_before_any_refusal()
    {
        // The last voucher is sold; the same teller key for someone else is a reused key (422), not sold out.
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: 10_000, paperCap: 10_000));
        var sold = Scenario.Request(sale, Scenario.NewCitizen(), 10_000, Channel.Paper, key: "last") with { SoldBy = "teller-10" };
        Assert.True((await ledger.BuyAsync(sold)).IsConfirmed);
        var other = sold with { CitizenId = Scenario.NewCitizen() };

        var throughCitizen = await ledger.BuyAsync(other);
        var refused = await ledger.City(sale).RefuseAsync(other);
        await ledger.Cluster.DeactivateAsync(ledger.City(sale));
        var afterReactivation = await ledger.BuyAsync(other with { CitizenId = Scenario.NewCitizen() });
        var otherTeller = await ledger.BuyAsync(other with { SoldBy = "teller-11" });

        Assert.Equal(PurchaseOutcome.IdempotencyConflict, throughCitizen.Outcome);
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, refused?.Outcome);
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, afterReactivation.Outcome);
        Assert.Equal(PurchaseOutcome.SoldOut, otherTeller.Outcome);
        Assert.Equal(10_000, (await ledger.SnapshotAsync(sale)).Paper.Sold);
    }

    [Fact]
    public async Task Each_sellers_keys_are_its_own_for_a_citizen()
    {
        // The citizen's own key and two tellers' keys, all "1001", are three keys: three purchases.
        var sale = await ledger.OpenSaleAsync();
        var own = Scenario.Request(sale, Scenario.NewCitizen(), 10_000, key: "1001");
        var byFirst = own with { Channel = Channel.Paper, SoldBy = "teller-3" };
        var bySecond = byFirst with { SoldBy = "teller-4" };

        var answers = new[] { await ledger.BuyAsync(own), await ledger.BuyAsync(byFirst), await ledger.BuyAsync(bySecond) };
        await ledger.Cluster.DeactivateAsync(ledger.Grains.GetGrain<ICitizenGrain>(own.CitizenId));
        var retries = new[] { await ledger.BuyAsync(own), await ledger.BuyAsync(byFirst), await ledger.BuyAsync(bySecond) };

        Assert.All(answers, a => Assert.True(a.IsConfirmed));
        Assert.Equal(3, answers.Select(a => a.Purchase!.PurchaseId).Distinct().Count());
        Assert.Equal(answers.Select(a => a.Purchase), retries.Select(r => r.Purchase));
        Assert.Equal(3, (await ledger.SnapshotAsync(sale)).Entries);
    }

    [Fact]
    public async Task Ledger_commit_keeps_a_tellers_key_apart_from_the_citizens_own_paper_key()
    {
        // The citizen bought paper with "counter-1" themself; a teller's "counter-1" for them is another key
        // (ledger_commit once matched it as the same, for sales recorded before sellers were).
        var sale = await ledger.OpenSaleAsync();
        var own = Scenario.Request(sale, Scenario.NewCitizen(), 10_000, Channel.Paper, key: "counter-1");
        Assert.True((await ledger.BuyAsync(own)).IsConfirmed);
        await ledger.Cluster.DeactivateAsync(ledger.City(sale));
        var head = (await ledger.Store.ReadHeadAsync(sale))!;
        var limits = new CommitLimits(Scenario.Limit, new ChannelAmounts(1_000_000_000, 1_000_000_000));

        var result = await ledger.Store.CommitAsync(
            sale, head, limits, [], [new CommitPurchase(own.CitizenId, "teller-1 counter-1", Channel.Paper, 10_000, 9_000, "teller-1")],
            DateTimeOffset.UtcNow);

        var answer = Assert.Single(result.Purchases);
        Assert.Equal((CommitOutcome.Confirmed, head.NextSequence), (answer.Outcome, answer.Sequence));
    }

    [Fact]
    public async Task A_rejected_request_retried_gets_the_same_rejection()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: 10_000));
        var request = Scenario.Request(sale, Scenario.NewCitizen(), 20_000);

        var first = await ledger.BuyAsync(request);
        var retry = await ledger.BuyAsync(request);

        Assert.Equal(PurchaseOutcome.SoldOut, first.Outcome);
        Assert.Equal(first, retry);
    }
}
