using System.Net;
using System.Net.Sockets;
using Ledger.Grains;
using Ledger.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Bench;

/// <summary>
/// One silo on PostgreSQL inside the benchmark's process, on free ports (other silos may run on this
/// machine), reached through its own grain factory: the core's ceiling, without a network hop.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    private readonly IHost host;

    private SiloHost(IHost host) => this.host = host;

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <param name="settings">Configuration over the environment's, as a silo's appsettings would give it (<c>Ledger:Payments:BaseUrl</c>).</param>
    public static async Task<SiloHost> StartAsync(string connectionString, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        await LedgerSchema.ApplyAsync(connectionString);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The payment client's resilience pipeline warns of every retry with its stack trace: under load, a flood.
        builder.Logging.AddFilter("Polly", LogLevel.Error);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort())
            .AddLedger(connectionString));
        var host = builder.Build();
        await host.StartAsync();
        return new SiloHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
