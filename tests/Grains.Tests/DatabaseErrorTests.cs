using Ledger.Grains.Interfaces;

namespace Ledger.Grains.Tests;

/// <summary>
/// However a database failure surfaces in a silo (thrown by a grain method, wrapped by Orleans' storage,
/// or during activation), the caller is told <see cref="LedgerUnavailableException"/>, never that Orleans
/// could not serialize Npgsql's exception. The ledger tables and the grain state are each reached through a
/// <see cref="TcpProxy"/> of their own, so a test cuts exactly one of them; the cluster uses real sockets, so
/// every answer is serialized as it is for the gateway.
/// </summary>
public sealed class DatabaseErrorTests : IAsyncLifetime
{
    /// <summary>A call made while the database is unreachable must have failed within this.</summary>
    private static readonly TimeSpan FailureTimeout = TimeSpan.FromSeconds(15);

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
}
