using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>
/// A rejection is a key's answer too (API.md): the same key gets the same 409 again, from the program-month's memory
/// while it remembers it and from ledger_rejections after the grains were deactivated, even once the cap or limit has
/// room; a new key is judged afresh.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class RememberedRejectionTests(ClusterFixture fixture)
{
    private readonly LedgerTestCluster ledger = fixture.Ledger;

    [Fact]
    public async Task A_key_refused_over_the_limit_is_refused_again_after_a_cancel_freed_the_limit()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, citizen, Scenario.Limit)).Purchase!;
        var over = Scenario.Request(sale, citizen, Scenario.Unit);
        Assert.Equal(PurchaseOutcome.LimitExceeded, (await ledger.BuyAsync(over)).Outcome);
        Assert.Equal(CancelOutcome.Cancelled, (await Citizen(citizen).CancelAsync(sale, bought.Sequence)).Outcome);

        await ledger.Cluster.DeactivateAsync(Citizen(citizen));
        var fromMemory = await ledger.BuyAsync(over);
        await DeactivateAsync(sale, citizen);
        var fromDatabase = await ledger.BuyAsync(over);

        Assert.Equal((PurchaseOutcome.LimitExceeded, 0L), (fromMemory.Outcome, fromMemory.Remaining!.Value));
        Assert.Equal((PurchaseOutcome.LimitExceeded, 0L), (fromDatabase.Outcome, fromDatabase.Remaining!.Value));
        Assert.Equal(PurchaseOutcome.IdempotencyConflict, (await ledger.BuyAsync(over with { Amount = 2 * Scenario.Unit })).Outcome);
        Assert.Equal(0, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
        Assert.True((await ledger.BuyAsync(sale, citizen, Scenario.Unit)).IsConfirmed);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task A_key_refused_sold_out_stays_refused_after_a_cancel_reopened_the_cap_also_on_the_gateways_route()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: Scenario.Unit));
        var buyer = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, buyer, Scenario.Unit)).Purchase!;
        var newcomer = Scenario.Request(sale, Scenario.NewCitizen(), Scenario.Unit);
        Assert.Equal(PurchaseOutcome.SoldOut, (await ledger.City(sale).RefuseAsync(newcomer))?.Outcome);
        Assert.Equal(CancelOutcome.Cancelled, (await Citizen(buyer).CancelAsync(sale, bought.Sequence)).Outcome);

        var refusedAgain = await ledger.City(sale).RefuseAsync(newcomer);
        var viaCitizen = await ledger.BuyAsync(newcomer);
        await DeactivateAsync(sale, newcomer.CitizenId);
        var afterDeactivation = await ledger.BuyAsync(newcomer);

        Assert.Equal(PurchaseResult.SoldOut(0) with { CitizenHasBought = false }, refusedAgain);
        Assert.Equal((PurchaseOutcome.SoldOut, 0L), (viaCitizen.Outcome, viaCitizen.Remaining!.Value));
        Assert.Equal((PurchaseOutcome.SoldOut, 0L), (afterDeactivation.Outcome, afterDeactivation.Remaining!.Value));
        Assert.True((await ledger.BuyAsync(sale, newcomer.CitizenId, Scenario.Unit)).IsConfirmed);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task A_key_refused_before_the_opening_stays_refused_after_it()
    {
        var opens = ledger.Clock.GetUtcNow().AddHours(1);
        var policy = Scenario.OpenPolicy(ledger) with { OpensAt = opens };
        var sale = await ledger.OpenSaleAsync(policy);
        var early = Scenario.Request(sale, Scenario.NewCitizen(), Scenario.Unit);
        Assert.Equal(PurchaseOutcome.NotOpen, (await ledger.BuyAsync(early)).Outcome);

        Assert.Equal(SetPolicyOutcome.Saved, (await ledger.City(sale).SetPolicyAsync(Scenario.OpenPolicy(ledger))).Outcome);
        await ledger.Cluster.DeactivateAsync(Citizen(early.CitizenId));
        var fromMemory = await ledger.BuyAsync(early);
        await DeactivateAsync(sale, early.CitizenId);
        var fromDatabase = await ledger.BuyAsync(early);

        Assert.Equal((PurchaseOutcome.NotOpen, opens), (fromMemory.Outcome, fromMemory.OpensAt!.Value));
        Assert.Equal((PurchaseOutcome.NotOpen, opens), (fromDatabase.Outcome, fromDatabase.OpensAt!.Value));
        Assert.True((await ledger.BuyAsync(sale, early.CitizenId, Scenario.Unit)).IsConfirmed);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task Another_body_with_a_refused_or_bought_key_is_a_conflict_and_the_first_request_still_gets_its_own_answer()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        var over = Scenario.Request(sale, citizen, Scenario.Limit + Scenario.Unit);
        Assert.Equal(PurchaseOutcome.LimitExceeded, (await ledger.BuyAsync(over)).Outcome);
        var bought = Scenario.Request(sale, citizen, Scenario.Unit);
        var purchase = (await ledger.BuyAsync(bought)).Purchase!;
        await ledger.Cluster.DeactivateAsync(Citizen(citizen));

        var conflicts = new[]
        {
            await ledger.BuyAsync(over with { Amount = Scenario.Unit }),
            await ledger.BuyAsync(bought with { Amount = 2 * Scenario.Unit }),
        };
        var refusedAgain = await ledger.BuyAsync(over);
        var boughtAgain = await ledger.BuyAsync(bought);

        Assert.All(conflicts, c => Assert.Equal(PurchaseOutcome.IdempotencyConflict, c.Outcome));
        Assert.Equal(PurchaseOutcome.LimitExceeded, refusedAgain.Outcome);
        Assert.Equal(purchase, boughtAgain.Purchase);
    }

    /// <summary>Deactivating the program-month grain writes the refusals it holds; the citizen grain forgets its answers.</summary>
    private async Task DeactivateAsync(ProgramMonth sale, string citizen)
    {
        await ledger.Cluster.DeactivateAsync(Citizen(citizen));
        await ledger.Cluster.DeactivateAsync(ledger.City(sale));
    }

    private ICitizenGrain Citizen(string citizen) => ledger.Grains.GetGrain<ICitizenGrain>(citizen);
}
