using Ledger.Grains.Storage;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orleans.TestingHost;

namespace Ledger.Grains.Tests;

/// <summary>An in-process Orleans cluster on the test PostgreSQL, with its own ledger clock.</summary>
public sealed class LedgerTestCluster : IAsyncDisposable
{
    private LedgerTestCluster(TestCluster cluster, FakeTimeProvider clock)
    {
        Cluster = cluster;
        Clock = clock;
        DataSource = NpgsqlDataSource.Create(TestDatabase.ConnectionString);
        Store = new LedgerStore(DataSource);
    }

    public TestCluster Cluster { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>The test database, reached directly rather than through the grains.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Direct access to the ledger tables, to check what the grains wrote.</summary>
    public LedgerStore Store { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <param name="ledgerConnection">Where the ledger tables are reached; defaults to the test database.</param>
    /// <param name="grainStateConnection">Where Orleans' grain state is reached; defaults to the test database.</param>
    /// <param name="tcp">Real sockets instead of in-memory transport, so clients outside the cluster (the gateway) can connect.</param>
    /// <param name="settings">More of the silos' configuration, by key (for example <c>Ledger:Payments:BaseUrl</c>).</param>
    public static async Task<LedgerTestCluster> StartAsync(
        string name, short silos = 2, string? ledgerConnection = null, TimeSpan? responseTimeout = null, bool tcp = false,
        string? grainStateConnection = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        await TestDatabase.EnsureSchemaAsync();
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = $"ledger-tests-{name}";
        if (tcp)
        {
            builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        }
        builder.Properties[LedgerSiloConfigurator.ClockKey] = name;
        if (ledgerConnection is not null)
        {
            builder.Properties[LedgerSiloConfigurator.LedgerConnectionKey] = ledgerConnection;
        }

        if (grainStateConnection is not null)
        {
            builder.Properties[LedgerSiloConfigurator.GrainStateConnectionKey] = grainStateConnection;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Properties[key] = value;
        }

        builder.AddSiloBuilderConfigurator<LedgerSiloConfigurator>();
        if (responseTimeout is { } timeout)
        {
            builder.AddSiloBuilderConfigurator<ShortTimeoutsConfigurator>();
            builder.AddClientBuilderConfigurator<ShortTimeoutsConfigurator>();
            builder.Properties[ShortTimeoutsConfigurator.TimeoutKey] = timeout.ToString("c");
        }

        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new LedgerTestCluster(cluster, TestClocks.For(name));
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await DataSource.DisposeAsync();
    }
}
