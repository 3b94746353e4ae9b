using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Ledger.Grains.Tests;

/// <summary>
/// A silo killed while a paid purchase is under way: before the withdrawal reached the bank, while it is on its
/// way, and while a refund is owed. Another silo's sweeper wakes the program-month, its new activation asks the
/// bank for the transfer's result and ends the hold; the payer is charged once, whatever the path.
/// </summary>
[Trait("Category", TestCategories.Failover)]
public sealed class PaymentFailoverTests : IAsyncLifetime
{
    private const long Amount = 100_000;
    private const long Price = 90_000;
    private const int PlacementAttemptsMax = 200;

    // Membership must first declare the killed silo dead before its grains activate elsewhere.
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(90);

    private LedgerTestCluster ledger = null!;
    private PaymentSandboxProcess bank = null!;

    public async Task InitializeAsync()
    {
        await TestDatabase.EnsureSchemaAsync();
        bank = await PaymentSandboxProcess.StartAsync(TestDatabase.ConnectionString);
        ledger = await LedgerTestCluster.StartAsync(
            "payment-failover", silos: 3, responseTimeout: TimeSpan.FromSeconds(5), settings: PaymentFixture.Settings(bank.BaseAddress));
    }

    public async Task DisposeAsync()
    {
        await ledger.DisposeAsync();
        await bank.DisposeAsync();
    }

    [Fact]
    public Task A_hold_whose_silo_dies_before_the_bank_heard_of_it_is_withdrawn_once_by_another_silo() =>
        KillWhilePendingAsync(new { down = true });

    // The bank takes longer than the buyer waits: the buyer hears "pending" while the withdrawal is in flight.
    [Fact]
    public Task A_hold_whose_silo_dies_while_its_withdrawal_is_on_the_way_is_settled_on_the_banks_word() =>
        KillWhilePendingAsync(new { latencyMs = new[] { 2_500, 2_500 } });

    [Fact]
    public async Task A_refund_owed_when_a_silo_dies_is_delivered_once_by_another()
    {
        var (sale, silo) = await OpenPaidSaleOffThePrimaryAsync();
        var citizen = Scenario.NewCitizen();
        var bought = (await ledger.BuyAsync(sale, citizen, Amount)).Purchase!;
        Assert.Equal(PurchaseStatus.Confirmed, bought.Status);
        await bank.SetFaultsAsync(new { down = true });
        var cancelled = await ledger.Grains.GetGrain<ICitizenGrain>(citizen).CancelAsync(sale, bought.Sequence);
        Assert.Equal(RefundState.Pending, cancelled.Purchase!.Refund);

        await ledger.Cluster.KillSiloAsync(silo);
        await bank.SetFaultsAsync(new { });

        var refunded = await Eventually.UntilAsync(
            () => ledger.City(sale).GetPurchaseAsync(bought.Sequence), p => p?.Refund == RefundState.Done, RecoveryTimeout);
        Assert.Equal(PurchaseStatus.Cancelled, refunded!.Status);
        Assert.Equal(new PayerMoney(Price, Price), await bank.PayerAsync(citizen));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    /// <summary>Buys under the bank's <paramref name="faults"/>, kills the sale's silo while the purchase is pending, then clears them.</summary>
    private async Task KillWhilePendingAsync(object faults)
    {
        var (sale, silo) = await OpenPaidSaleOffThePrimaryAsync();
        var citizen = Scenario.NewCitizen();
        await bank.SetFaultsAsync(faults);
        var pending = await ledger.BuyAsync(sale, citizen, Amount);
        Assert.Equal(PurchaseOutcome.Pending, pending.Outcome);

        await ledger.Cluster.KillSiloAsync(silo);
        await bank.SetFaultsAsync(new { });

        Assert.Equal(PurchaseStatus.Confirmed, (await SettledAsync(sale, pending.Purchase!.Sequence))!.Status);
        Assert.Equal(new PayerMoney(Price, 0), await bank.PayerAsync(citizen));
        await ledger.AssertPaymentsSettledAsync(sale);
    }

    private Task<Purchase?> SettledAsync(ProgramMonth sale, long sequence) =>
        Eventually.UntilAsync(() => ReadAsync(sale, sequence), p => p is { Status: not PurchaseStatus.Pending }, RecoveryTimeout);

    // Calls to a grain of the killed silo fail until membership declares it dead: those count as not yet.
    private async Task<Purchase?> ReadAsync(ProgramMonth sale, long sequence)
    {
        try
        {
            return await ledger.City(sale).GetPurchaseAsync(sequence);
        }
        catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
        {
            return null;
        }
    }

    /// <summary>A paid sale whose program-month grain is off the primary silo, which the test cluster cannot kill.</summary>
    private async Task<(ProgramMonth Sale, SiloHandle Silo)> OpenPaidSaleOffThePrimaryAsync()
    {
        var primary = ledger.Cluster.Primary!.SiloAddress;
        for (var attempt = 1; attempt <= PlacementAttemptsMax; attempt++)
        {
            var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger));
            var address = await ledger.Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(ledger.City(sale));
            if (address is not null && !address.Equals(primary))
            {
                return (sale, ledger.Cluster.SecondarySilos.Single(s => s.SiloAddress.Equals(address)));
            }
        }

        throw new InvalidOperationException($"No program-month of {PlacementAttemptsMax} was placed off the primary silo.");
    }
}
