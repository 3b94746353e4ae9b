using Ledger.Chaos;
using Ledger.Testing;
using Xunit.Abstractions;

namespace Ledger.Silo.Tests;

/// <summary>
/// An open run of buyers against three real silo processes, each buyer retrying with its idempotency key
/// until it has a final answer, while the silo hosting the sale dies, or the database goes away, and
/// comes back. Afterwards the ledger must hold every confirmed purchase, nothing past the cap, and a
/// consistent audit, and every buyer must have its final answer. The same run is <c>./ledger chaos</c>.
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

    private async Task<ChaosReport> RunAsync(IChaosFault fault)
    {
        var run = new ChaosRun(cluster.Grains, FailoverCluster.ConnectionString, Load, output.WriteLine);
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
