namespace Ledger.Grains.Tests;

/// <summary>The two-silo cluster most grain tests share; each test uses fresh program-months and citizens.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private LedgerTestCluster? ledger;

    public LedgerTestCluster Ledger => ledger ?? throw new InvalidOperationException("The cluster did not start.");

    public async Task InitializeAsync() => ledger = await LedgerTestCluster.StartAsync("shared");

    public async Task DisposeAsync()
    {
        if (ledger is not null)
        {
            await ledger.DisposeAsync();
        }
    }
}
