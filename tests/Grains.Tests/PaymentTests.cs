using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;
using Npgsql;

namespace Ledger.Grains.Tests;

/// <summary>
/// The two-phase purchase against the payment sandbox (API.md, "Payments"): every way a hold ends, each key's
/// answer kept, and the provider's own record of each payer's money against their vouchers.
/// </summary>
[Collection(PaymentCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class PaymentTests(PaymentFixture fixture) : IAsyncLifetime
{
    private const long Amount = 100_000;
    private const long Price = 90_000;

    private readonly LedgerTestCluster ledger = fixture.Ledger;
    private readonly PaymentSandboxProcess bank = fixture.Sandbox;

    public Task InitializeAsync() => bank.SetFaultsAsync(new { });

    public Task DisposeAsync() => bank.SetFaultsAsync(new { });

    [Fact]
    public async Task A_purchase_is_held_then_posted_when_the_provider_withdraws_the_price()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger));
        var request = Scenario.Request(sale, Scenario.NewCitizen(), Amount);

        var result = await ledger.BuyAsync(request);
        var again = await ledger.BuyAsync(request);

        Assert.Equal(PurchaseOutcome.Confirmed, result.Outcome);
        Assert.Equal(PurchaseStatus.Confirmed, result.Purchase!.Status);
        Assert.Equal(Price, result.Purchase.Price);
        Assert.Equal(result.Purchase, again.Purchase);
        Assert.Equal(new PayerMoney(Price, 0), await bank.PayerAsync(request.CitizenId));
        Assert.Equal([LedgerEntryKind.Hold, LedgerEntryKind.Post], await KindsAsync(sale));
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal((Amount, 1_000_000 - Amount), (snapshot.Mobile.Sold, snapshot.Mobile.Remaining));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task A_declined_payment_voids_the_hold_and_the_same_key_stays_declined()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger, mobileCap: Amount));
        var citizen = Scenario.NewCitizen();
        var request = Scenario.Request(sale, citizen, Amount);
        await bank.SetFaultsAsync(new { declineRate = 1.0 });

        var declined = await ledger.BuyAsync(request);
        await bank.SetFaultsAsync(new { });
        var again = await ledger.BuyAsync(request);
        await ledger.Cluster.DeactivateAsync(ledger.Grains.GetGrain<ICitizenGrain>(citizen));
        var afterForgetting = await ledger.BuyAsync(request);

        Assert.Equal(PurchaseOutcome.PaymentDeclined, declined.Outcome);
        Assert.Equal((PurchaseStatus.Voided, "Insufficient balance."), (declined.Purchase!.Status, declined.Purchase.Reason));
        Assert.All([again, afterForgetting], a => Assert.Equal((PurchaseOutcome.PaymentDeclined, declined.Purchase.PurchaseId),
            (a.Outcome, a.Purchase!.PurchaseId)));
        Assert.Equal(new PayerMoney(0, 0), await bank.PayerAsync(citizen));
        // The hold gave back the cap and the limit: a new key buys all of it.
        Assert.Equal(PurchaseOutcome.Confirmed, (await ledger.BuyAsync(sale, citizen, Amount)).Outcome);
        Assert.Equal([LedgerEntryKind.Hold, LedgerEntryKind.Void, LedgerEntryKind.Hold, LedgerEntryKind.Post], await KindsAsync(sale));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task A_lost_answer_is_settled_by_asking_for_the_transfers_result_and_charges_once()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger));
        var request = Scenario.Request(sale, Scenario.NewCitizen(), Amount);
        await bank.SetFaultsAsync(new { lostAnswerRate = 1.0 });

        var result = await ledger.BuyAsync(request);
        var purchase = await UntilSettledAsync(sale, result.Purchase!.Sequence);

        Assert.Contains(result.Outcome, new[] { PurchaseOutcome.Confirmed, PurchaseOutcome.Pending });
        Assert.Equal(PurchaseStatus.Confirmed, purchase.Status);
        Assert.Equal(new PayerMoney(Price, 0), await bank.PayerAsync(request.CitizenId));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task A_purchase_is_pending_while_the_bank_is_down_and_confirmed_once_it_is_back()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger));
        var citizen = Scenario.NewCitizen();
        var request = Scenario.Request(sale, citizen, Amount);
        await bank.SetFaultsAsync(new { down = true });

        var pending = await ledger.BuyAsync(request);
        var retried = await ledger.BuyAsync(request);
        var month = await ledger.Grains.GetGrain<ICitizenGrain>(citizen).GetMonthAsync(sale);
        var snapshot = await ledger.SnapshotAsync(sale);
        await bank.SetFaultsAsync(new { });
        var confirmed = await UntilSettledAsync(sale, pending.Purchase!.Sequence);
        var afterwards = await ledger.BuyAsync(request);

        Assert.Equal((PurchaseOutcome.Pending, PurchaseStatus.Pending), (pending.Outcome, pending.Purchase.Status));
        Assert.Equal((PurchaseOutcome.Pending, pending.Purchase.PurchaseId), (retried.Outcome, retried.Purchase!.PurchaseId));
        // While held, the amount counts against the cap and the citizen's limit, and is not sold.
        Assert.Equal((0, 1_000_000 - Amount), (snapshot.Mobile.Sold, snapshot.Mobile.Remaining));
        Assert.Equal(Amount, month!.Used);
        Assert.Equal(PurchaseStatus.Confirmed, confirmed.Status);
        Assert.Equal((PurchaseOutcome.Confirmed, pending.Purchase.PurchaseId), (afterwards.Outcome, afterwards.Purchase!.PurchaseId));
        Assert.Equal(new PayerMoney(Price, 0), await bank.PayerAsync(citizen));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task A_retried_pending_purchase_gets_itself_as_it_stands_even_when_its_own_hold_fills_the_cap_and_limit()
    {
        // The drill found it: a retry judged afresh was refused by its own hold's amount, for good.
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger, mobileCap: 2 * Amount) with { CitizenMonthlyLimit = Amount });
        var citizen = Scenario.NewCitizen();
        var request = Scenario.Request(sale, citizen, Amount);
        await bank.SetFaultsAsync(new { down = true });

        var pending = await ledger.BuyAsync(request);
        // Retries at once, and a newcomer for the rest of the cap: the retries take nothing from it.
        var answers = await Task.WhenAll(
            Enumerable.Range(0, 5).Select(_ => ledger.BuyAsync(request)).Append(ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount)));
        await ledger.Cluster.DeactivateAsync(ledger.Grains.GetGrain<ICitizenGrain>(citizen));
        var forgotten = await ledger.BuyAsync(request);
        await bank.SetFaultsAsync(new { });
        await UntilSettledAsync(sale, pending.Purchase!.Sequence);
        var settled = await ledger.BuyAsync(request);

        Assert.All(answers.Append(forgotten), a => Assert.Equal(PurchaseOutcome.Pending, a.Outcome));
        Assert.All(answers[..5].Append(forgotten), a => Assert.Equal(pending.Purchase.PurchaseId, a.Purchase!.PurchaseId));
        Assert.Equal((PurchaseOutcome.Confirmed, pending.Purchase.PurchaseId), (settled.Outcome, settled.Purchase!.PurchaseId));
        Assert.Equal(new PayerMoney(Price, 0), await bank.PayerAsync(citizen));
        await Eventually.UntilAsync(() => ledger.City(sale).ReconcileAsync(), r => r!.Pending == 0);
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task A_hold_without_word_from_the_provider_expires_and_frees_the_cap()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger, mobileCap: Amount, holdSeconds: 30));
        var citizen = Scenario.NewCitizen();
        var request = Scenario.Request(sale, citizen, Amount);
        await bank.SetFaultsAsync(new { down = true });

        var pending = await ledger.BuyAsync(request);
        Assert.Equal(PurchaseOutcome.SoldOut, (await ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount)).Outcome);
        ledger.Clock.Advance(TimeSpan.FromSeconds(30));
        var expired = await UntilSettledAsync(sale, pending.Purchase!.Sequence);
        await bank.SetFaultsAsync(new { });
        var again = await ledger.BuyAsync(request);

        Assert.Equal((PurchaseStatus.Voided, "expired"), (expired.Status, expired.Reason));
        Assert.Equal((PurchaseOutcome.PaymentDeclined, "expired"), (again.Outcome, again.Purchase!.Reason));
        Assert.Equal(PurchaseOutcome.Confirmed, (await ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount)).Outcome);
        // The provider never had the withdrawal: once a late one can no longer arrive, nothing is owed back.
        ledger.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("none", await UntilRefundSettledAsync(sale, pending.Purchase.Sequence));
        Assert.Equal(new PayerMoney(0, 0), await bank.PayerAsync(citizen));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task A_withdrawal_that_lands_after_its_hold_expired_is_returned_to_the_payer()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger, holdSeconds: 30));
        var citizen = Scenario.NewCitizen();
        await bank.SetFaultsAsync(new { down = true });
        var pending = (await ledger.BuyAsync(sale, citizen, Amount)).Purchase!;
        ledger.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(PurchaseStatus.Voided, (await UntilSettledAsync(sale, pending.Sequence)).Status);
        await bank.SetFaultsAsync(new { });

        // The bank processes the withdrawal the silo sent before the expiry, late.
        using var late = await bank.Client.PostAsync("v2.0/transfer/withdraw/fin_num", JsonContent(
            $$"""{"bank_tran_id":"{{pending.PurchaseId}}","fintech_use_num":"{{citizen}}","tran_amt":"{{Price}}"}"""));
        late.EnsureSuccessStatusCode();
        ledger.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("done", await UntilRefundSettledAsync(sale, pending.Sequence));
        Assert.Equal(new PayerMoney(Price, Price), await bank.PayerAsync(citizen));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task Cancelling_a_paid_purchase_returns_its_price_through_the_provider_once()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger));
        var citizen = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, citizen, Amount)).Purchase!;
        await bank.SetFaultsAsync(new { down = true });

        var cancelled = await ledger.Grains.GetGrain<ICitizenGrain>(citizen).CancelAsync(sale, bought.Sequence);
        await bank.SetFaultsAsync(new { });
        var refunded = await Eventually.UntilAsync(() => ledger.City(sale).GetPurchaseAsync(bought.Sequence), p => p?.Refund == RefundState.Done);
        var again = await ledger.Grains.GetGrain<ICitizenGrain>(citizen).CancelAsync(sale, bought.Sequence);

        Assert.Equal((CancelOutcome.Cancelled, RefundState.Pending), (cancelled.Outcome, cancelled.Purchase!.Refund));
        Assert.Equal(PurchaseStatus.Cancelled, refunded!.Status);
        Assert.Equal((CancelOutcome.Cancelled, RefundState.Done), (again.Outcome, again.Purchase!.Refund));
        Assert.Equal(new PayerMoney(Price, Price), await bank.PayerAsync(citizen));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task A_pending_purchase_cannot_be_cancelled_and_nothing_changes()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger));
        var citizen = Scenario.NewCitizen();
        await bank.SetFaultsAsync(new { down = true });
        var pending = (await ledger.BuyAsync(sale, citizen, Amount)).Purchase!;

        var refused = await ledger.Grains.GetGrain<ICitizenGrain>(citizen).CancelAsync(sale, pending.Sequence);
        await bank.SetFaultsAsync(new { });

        Assert.Equal(CancelOutcome.PaymentPending, refused.Outcome);
        Assert.Equal(PurchaseStatus.Confirmed, (await UntilSettledAsync(sale, pending.Sequence)).Status);
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    [Fact]
    public async Task Reconciliation_lists_a_payer_whose_money_the_ledger_does_not_account_for()
    {
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger));
        var bought = (await ledger.BuyAsync(sale, Scenario.NewCitizen(), Amount)).Purchase!;
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 50_000)).IsConfirmed);
        var before = await ledger.City(sale).ReconcileAsync();

        // Someone returns the first buyer's money at the provider, past the ledger.
        using var stray = await bank.Client.PostAsync("v2.0/transfer/deposit/fin_num", JsonContent(
            $$"""{"bank_tran_id":"{{bought.PurchaseId}}.refund","fintech_use_num":"{{bought.CitizenId}}","tran_amt":"{{Price}}"}"""));
        stray.EnsureSuccessStatusCode();
        var after = await ledger.City(sale).ReconcileAsync();

        Assert.Equal(new ReconciliationReport(true, Price + 45_000, Price + 45_000, 0, []), before! with { Mismatches = [] });
        Assert.Empty(before.Mismatches);
        Assert.False(after!.Consistent);
        Assert.Equal((Price + 45_000, 45_000), (after.LedgerNet, after.ProviderNet));
        Assert.Equal(new ReconciliationMismatch(bought.PurchaseId, Price, 0), Assert.Single(after.Mismatches));
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private async Task<LedgerEntryKind[]> KindsAsync(ProgramMonth sale) =>
        [.. (await ledger.City(sale).GetEntriesAsync(0, 100)).Entries.Select(e => e.Kind)];

    /// <summary>Waits until the purchase's hold has ended, and returns it.</summary>
    private async Task<Purchase> UntilSettledAsync(ProgramMonth sale, long sequence) =>
        (await Eventually.UntilAsync(() => ledger.City(sale).GetPurchaseAsync(sequence), p => p is { Status: not PurchaseStatus.Pending }))!;

    private async Task<string> UntilRefundSettledAsync(ProgramMonth sale, long sequence) =>
        (await Eventually.UntilAsync(() => RefundStateAsync(sale, sequence), s => s is not null and not "pending"))!;

    private async Task<string?> RefundStateAsync(ProgramMonth sale, long sequence)
    {
        await using var command = ledger.DataSource.CreateCommand(
            "SELECT state FROM payment_refunds WHERE program_id = $1 AND month = $2 AND purchase_sequence = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = sale.ProgramId });
        command.Parameters.Add(new NpgsqlParameter { Value = sale.Month });
        command.Parameters.Add(new NpgsqlParameter { Value = sequence });
        return (string?)await command.ExecuteScalarAsync();
    }
}
