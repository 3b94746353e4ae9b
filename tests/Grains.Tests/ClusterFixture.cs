namespace Ledger.Grains.Tests;

/// <summary>The two-silo cluster most grain tests share; each test uses fresh program-months and citizens.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public LedgerTestCluster Ledger { get; private set; } = null!;

    public async Task InitializeAsync() => Ledger = await LedgerTestCluster.StartAsync("shared");

    public async Task DisposeAsync() => await Ledger.DisposeAsync();
}
