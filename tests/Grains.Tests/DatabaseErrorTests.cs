using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>
/// However a database failure surfaces in a silo (thrown by a grain method, wrapped by Orleans' storage,
/// or during activation), the caller is told <see cref="LedgerUnavailableException"/>, never that Orleans
/// could not serialize Npgsql's exception. The ledger tables and the grain state are each reached through a
/// <see cref="TcpProxy"/> of their own, so a test cuts exactly one of them; the cluster uses real sockets, so
/// every answer is serialized as it is for the gateway.
/// </summary>
[Trait("Category", TestCategories.Failover)]
public sealed class DatabaseErrorTests : IAsyncLifetime
{
    /// <summary>A call made while the database is unreachable must have failed within this.</summary>
    private static readonly TimeSpan FailureTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a grain may take to come back once the database is (Orleans waits 5 s after a failed activation).</summary>
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(20);

    private TcpProxy ledgerProxy = null!;
    private TcpProxy stateProxy = null!;
    private LedgerTestCluster ledger = null!;

    public async Task InitializeAsync()
    {
        ledgerProxy = TcpProxy.To(TestDatabase.ConnectionString);
        stateProxy = TcpProxy.To(TestDatabase.ConnectionString);
        ledger = await LedgerTestCluster.StartAsync(
            "database-errors",
            silos: 1,
            ledgerConnection: Reroute(ledgerProxy),
            grainStateConnection: Reroute(stateProxy),
            responseTimeout: TimeSpan.FromSeconds(10),
            tcp: true);
    }

    public async Task DisposeAsync()
    {
        await ledger.DisposeAsync();
        await ledgerProxy.DisposeAsync();
        await stateProxy.DisposeAsync();
    }

    [Fact]
    public async Task Policy_change_whose_grain_state_write_fails_reaches_the_caller_as_LedgerUnavailableException()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, mobileCap: 1_000_000));

        stateProxy.Cut();
        // Orleans' storage wraps the Npgsql exception in one of its own.
        var error = await CaughtAsync(ledger.City(sale).SetPolicyAsync(Scenario.OpenPolicy(ledger, mobileCap: 2_000_000)));

        Assert.IsType<LedgerUnavailableException>(error);
    }

    [Fact]
    public async Task Activation_that_fails_on_the_ledger_tables_reaches_the_caller_as_LedgerUnavailableException()
    {
        var sale = await ledger.OpenSaleAsync();
        await ledger.Cluster.DeactivateAsync(ledger.City(sale));

        ledgerProxy.Cut();
        // The program-month grain claims its ledger in OnActivateAsync.
        var error = await CaughtAsync(ledger.City(sale).GetSnapshotAsync());
        ledgerProxy.Restore();

        Assert.IsType<LedgerUnavailableException>(error);
        await AssertComesBackAsync(sale);
    }

    [Fact]
    public async Task Activation_that_cannot_read_its_grain_state_reaches_the_caller_as_Orleans_storage_error_over_LedgerUnavailableException()
    {
        var sale = await ledger.OpenSaleAsync();
        await ledger.Cluster.DeactivateAsync(ledger.City(sale));

        stateProxy.Cut();
        // Orleans reads the grain state before OnActivateAsync runs, and wraps what its storage threw in an
        // exception of its own; the gateway answers 503 for that as for LedgerUnavailableException.
        var error = await CaughtAsync(ledger.City(sale).GetSnapshotAsync());
        stateProxy.Restore();

        Assert.IsType<OrleansException>(error);
        Assert.IsType<LedgerUnavailableException>(error.InnerException);
        await AssertComesBackAsync(sale);
    }

    [Fact]
    public async Task Purchase_whose_program_month_grain_fails_to_activate_reaches_the_caller_as_LedgerUnavailableException()
    {
        var sale = await ledger.OpenSaleAsync();
        var citizen = Scenario.NewCitizen();
        Assert.True((await ledger.BuyAsync(sale, citizen, 10_000)).IsConfirmed);
        await ledger.Cluster.DeactivateAsync(ledger.City(sale));

        ledgerProxy.Cut();
        // The citizen grain knows its history, so it goes straight to the program-month grain, on the same
        // silo: the failed activation answers a caller inside the silo, whose own call then fails.
        var error = await CaughtAsync(ledger.BuyAsync(sale, citizen, 10_000));
        ledgerProxy.Restore();

        Assert.IsType<LedgerUnavailableException>(error);
        await AssertComesBackAsync(sale);
    }

    private static string Reroute(TcpProxy proxy) =>
        // Short timeouts, so a cut that leaves a connection hanging is still noticed quickly.
        proxy.Reroute(TestDatabase.ConnectionString, b => (b.Timeout, b.CommandTimeout) = (3, 5));

    /// <summary>The exception a call ended with; it must end within <see cref="FailureTimeout"/>.</summary>
    private static async Task<Exception> CaughtAsync(Task call)
    {
        try
        {
            await call.WaitAsync(FailureTimeout);
        }
        catch (Exception e) when (call.IsCompleted)
        {
            return e;
        }

        throw new Xunit.Sdk.XunitException("The call succeeded while the database was unreachable.");
    }

    /// <summary>Once the database is back, the grain activates again and answers.</summary>
    private async Task AssertComesBackAsync(ProgramMonth sale)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.NotNull(await ledger.City(sale).GetSnapshotAsync());
                return;
            }
            catch (LedgerUnavailableException) when (clock.Elapsed < RecoveryTimeout)
            {
                // The failed activation still answers for a few seconds; then a new one starts.
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }
}
