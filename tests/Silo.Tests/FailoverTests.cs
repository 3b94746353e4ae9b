using Ledger.Chaos;
using Ledger.Testing;
using Xunit.Abstractions;

namespace Ledger.Silo.Tests;

/// <summary>
/// An open run of buyers against three real silo processes, each buyer retrying with its idempotency key
/// until it has a final answer, while the silo hosting the sale dies, or the database goes away, and
/// comes back, or (on a sale that takes payment) the bank misbehaves and goes down while that silo dies.
/// Afterwards the ledger must hold every confirmed purchase, nothing past the cap, and a consistent audit,
/// every buyer must have its final answer, and every payer's money must equal their vouchers. The same run
/// is <c>./ledger chaos</c>.
/// </summary>
[Collection(SiloProcessCollection.Name)]
[Trait("Category", TestCategories.Failover)]
public sealed class FailoverTests(FailoverCluster cluster, ITestOutputHelper output) : IClassFixture<FailoverCluster>
{
    /// <summary>
    /// Light enough for a shared two-core machine, with a cap the run reaches after the repair, so that the
    /// last buyers are told SoldOut and the cap is tested too.
    /// </summary>
    private static readonly ChaosOptions Load = new(
        ArrivalsPerSecond: 100,
        ConfirmationsBeforeFault: 150,
        CapPurchases: 1_200,
        LoadAfterRepair: TimeSpan.FromSeconds(2),
        ResumeTimeout: TimeSpan.FromSeconds(45),
        SettleTimeout: TimeSpan.FromSeconds(45));

    /// <summary>
    /// The payment drill's load: holds short enough that the run's wait for every one to end stays under a minute and
    /// a half, and the same cap, reached while holds are pending: a retried pending purchase must get itself, never
    /// a refusal by its own hold.
    /// </summary>
    private static readonly ChaosOptions PaidLoad = Load;

    private const int PaidHoldSeconds = 20;

    [Fact]
    public async Task Silo_hosting_the_sale_killed_under_load_and_restarted_loses_no_confirmed_purchase_and_oversells_nothing()
    {
        var fault = new SiloFault(cluster, graceful: false);

        var report = await RunAsync(fault);

        AssertPromisesKept(report);
        Assert.Equal(137, fault.ExitCode);
    }

    [Fact]
    public async Task Silo_hosting_the_sale_stopped_with_SIGTERM_under_load_hands_its_grains_over_and_every_purchase_finishes()
    {
        var fault = new SiloFault(cluster, graceful: true);

        var report = await RunAsync(fault);

        AssertPromisesKept(report);
        Assert.Equal(0, fault.ExitCode);
    }

    [Fact]
    public async Task Database_gone_under_load_and_back_loses_no_confirmed_purchase_and_oversells_nothing()
    {
        var fault = new DatabaseCutFault(cluster.Database, outage: TimeSpan.FromSeconds(3));

        var report = await RunAsync(fault);

        AssertPromisesKept(report);
        Assert.True(report.FailedAttempts > 0, "No attempt failed: the database was not really gone.");
    }

    [Fact]
    public async Task Bank_declining_losing_answers_and_down_while_the_silo_hosting_the_sale_is_killed_leaves_every_payers_money_equal_to_their_vouchers()
    {
        using var bank = new SandboxControl(cluster.Sandbox.BaseAddress);
        var silo = new SiloFault(cluster, graceful: false);
        var fault = new PaymentsFault(silo, bank, bankDown: TimeSpan.FromSeconds(5));

        var report = await RunAsync(fault, PaidLoad with { Payments = new ChaosPayments(cluster.Sandbox.BaseAddress, PaidHoldSeconds) });

        AssertPromisesKept(report);
        var payments = report.Payments!;
        Assert.Equal((0, 0, 0), (payments.Open, payments.PayersDiffering, payments.ChargedTwice));
        Assert.Equal(report.Requests, payments.Payers);
        Assert.Equal(report.Outcomes.GetValueOrDefault("PaymentDeclined"), payments.Declined + payments.Expired);
        Assert.True(payments.Declined > 0, "No payment was declined: the bank's faults did not strike.");
        Assert.InRange(payments.LongestOpen, TimeSpan.Zero, TimeSpan.FromSeconds(PaidHoldSeconds + 60));
        Assert.Equal((true, 0L), (payments.Reconciliation!.Consistent, payments.Reconciliation.Pending));
        Assert.Equal(137, silo.ExitCode);
    }

    private async Task<ChaosReport> RunAsync(IChaosFault fault, ChaosOptions? options = null)
    {
        var run = new ChaosRun(cluster.Grains, FailoverCluster.ConnectionString, options ?? Load, output.WriteLine, cluster.VerdictGrains);
        var report = await run.RunAsync(fault);
        foreach (var line in report.Describe())
        {
            output.WriteLine(line);
        }

        return report;
    }

    private void AssertPromisesKept(ChaosReport report)
    {
        Assert.True(report.Passed, string.Join("\n", report.Problems));
        Assert.NotNull(report.Unavailable);
        Assert.DoesNotContain("none", report.Outcomes.Keys);
        Assert.Equal(report.Outcomes.GetValueOrDefault("Confirmed"), report.LedgerPurchases);
        Assert.InRange(report.SoldByLedger, Load.ConfirmationsBeforeFault * Load.Amount, report.Cap);
        Assert.True(report.Audit!.Consistent, $"Audit: {report.Audit}");
    }
}
