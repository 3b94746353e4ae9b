using Ledger.Chaos;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Runtime;

namespace Ledger.Silo.Tests;

/// <summary>
/// Three real silo processes of one cluster, as <c>./ledger up --silos 3</c> runs them, reaching PostgreSQL
/// through a proxy a test can cut and taking payment from the payment sandbox run as its own process, and an
/// Orleans client that finds them in the membership table.
/// </summary>
/// <remarks>
/// The database is restarted by cutting the proxy rather than PostgreSQL itself: the test PostgreSQL is
/// shared with the other test projects, which run at the same time. To the silos the two look the same:
/// every open connection breaks and new ones are refused until it is back.
/// </remarks>
public sealed class FailoverCluster : IAsyncLifetime
{
    public const int SiloCount = 3;

    /// <summary>Connections per pool of each silo, so three silos stay within the proxy's limit.</summary>
    private const int PoolSizeMax = 20;

    private IHost client = null!;
    private IHost verdictClient = null!;

    public string ClusterId { get; } = $"failover-{Guid.NewGuid():N}";

    /// <summary>The test database, reached directly (for checks made outside the system under test).</summary>
    public static string ConnectionString =>
        TestPostgres.ConnectionString;

    public TcpProxy Database { get; private set; } = null!;

    /// <summary>The payment provider the silos use.</summary>
    public PaymentSandboxProcess Sandbox { get; private set; } = null!;

    public List<SiloProcess> Silos { get; } = [];

    public IGrainFactory Grains => client.Services.GetRequiredService<IClusterClient>();

    /// <summary>The same cluster through a client that waits as long as a run's verdict needs (<see cref="ChaosClient.VerdictResponseTimeout"/>).</summary>
    public IGrainFactory VerdictGrains => verdictClient.Services.GetRequiredService<IClusterClient>();

    private string SiloConnectionString => Database.Reroute(ConnectionString, b => b.MaxPoolSize = PoolSizeMax);

    /// <summary>The silos' payment settings: the sandbox, and a sweep every second, so that the run's holds end soon.</summary>
    private (string, string)[] PaymentSettings =>
    [
        ("Ledger__Payments__BaseUrl", Sandbox.BaseAddress.ToString()),
        ("Ledger__Payments__AttemptTimeoutSeconds", "3"),
        ("Ledger__Payments__SweepSeconds", "1"),
    ];

    public async Task InitializeAsync()
    {
        Database = TcpProxy.To(ConnectionString);
        Sandbox = await PaymentSandboxProcess.StartAsync(ConnectionString);
        Silos.AddRange(await Task.WhenAll(
            Enumerable.Range(0, SiloCount).Select(_ => SiloProcess.StartAsync(SiloConnectionString, ClusterId, settings: PaymentSettings))));
        client = await ChaosClient.StartAsync(ConnectionString, ClusterId, ClusterId);
        verdictClient = await ChaosClient.StartAsync(ConnectionString, ClusterId, ClusterId, ChaosClient.VerdictResponseTimeout);
    }

    /// <summary>The silo process at a silo address.</summary>
    public SiloProcess At(SiloAddress address) =>
        Silos.Single(s => s.SiloPort == address.Endpoint.Port && !s.HasExited);

    /// <summary>Starts a silo again on the ports it had, as an operator's restart does.</summary>
    public async Task RestartAsync(SiloProcess silo)
    {
        var restarted = await SiloProcess.StartAsync(SiloConnectionString, ClusterId, silo.SiloPort, silo.GatewayPort, PaymentSettings);
        Silos[Silos.IndexOf(silo)] = restarted;
        await silo.DisposeAsync();
    }

    /// <summary>The silos of this cluster that the membership table lists as active.</summary>
    public async Task<int> ActiveSilosAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = $1 AND status = $2", connection);
        command.Parameters.Add(new() { Value = ClusterId });
        command.Parameters.Add(new() { Value = (int)SiloStatus.Active });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        await client.StopAsync();
        client.Dispose();
        await verdictClient.StopAsync();
        verdictClient.Dispose();
        await Task.WhenAll(Silos.Select(s => s.DisposeAsync().AsTask()));
        await Sandbox.DisposeAsync();
        await Database.DisposeAsync();
    }
}
