using System.Net.Http.Headers;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Queue;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The real gateway over HTTP, joined as an Orleans client to an in-process cluster on the test PostgreSQL, whose
/// silos take payment from the payment sandbox, run as its own process.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private LedgerTestCluster? ledger;
    private WebApplicationFactory<Program>? gateway;
    private PaymentSandboxProcess? sandbox;

    public LedgerTestCluster Ledger => ledger ?? throw new InvalidOperationException("The cluster did not start.");

    public WebApplicationFactory<Program> Gateway => gateway ?? throw new InvalidOperationException("The gateway did not start.");

    public PaymentSandboxProcess Sandbox => sandbox ?? throw new InvalidOperationException("The sandbox did not start.");

    /// <summary>What a gateway process needs to join this cluster: the silos' gateway endpoints, the ids, the database.</summary>
    public Dictionary<string, string> ClusterSettings { get; } = [];

    public async Task InitializeAsync()
    {
        await TestDatabase.EnsureSchemaAsync();
        sandbox = await PaymentSandboxProcess.StartAsync(TestDatabase.ConnectionString);
        ledger = await LedgerTestCluster.StartAsync("gateway", silos: 1, tcp: true, settings: PaymentFixture.Settings(sandbox.BaseAddress));
        var options = ledger.Cluster.Options;
        var gateways = string.Join(',', ledger.Cluster.Silos.Select(s => s.GatewayAddress.Endpoint));
        ClusterSettings["ConnectionStrings__Ledger"] = TestDatabase.ConnectionString;
        ClusterSettings["Ledger__Cluster__Gateways"] = gateways;
        ClusterSettings["Ledger__Cluster__ClusterId"] = options.ClusterId;
        ClusterSettings["Ledger__Cluster__ServiceId"] = options.ServiceId;
        // The tests poll faster than a phone may; ClientFairnessTests checks each client's share with its own.
        gateway = Joined<Program>().WithWebHostBuilder(web => web
            .UseSetting("Ledger:Gateway:Fairness:CitizenPerSecond", "1000").UseSetting("Ledger:Gateway:Fairness:CitizenBurst", "1000"));
        _ = gateway.Server;
    }

    /// <summary>
    /// A gateway host of <typeparamref name="TEntryPoint"/>'s assembly (the gateway's, or the bench gateway's) joined
    /// to this cluster, started on first use.
    /// </summary>
    public WebApplicationFactory<TEntryPoint> Joined<TEntryPoint>()
        where TEntryPoint : class =>
        new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:Ledger", TestDatabase.ConnectionString)
            .UseSetting("Ledger:Cluster:Gateways", ClusterSettings["Ledger__Cluster__Gateways"])
            .UseSetting("Ledger:Cluster:ClusterId", ClusterSettings["Ledger__Cluster__ClusterId"])
            .UseSetting("Ledger:Cluster:ServiceId", ClusterSettings["Ledger__Cluster__ServiceId"])
            // Tickets expire and pre-queues open by the ledger's clock, which the tests move.
            .ConfigureServices(services => services.AddKeyedSingleton<TimeProvider>(WaitingRoomExtensions.ClockKey, Ledger.Clock)));

    public async Task DisposeAsync()
    {
        if (gateway is not null)
        {
            await gateway.DisposeAsync();
        }

        if (ledger is not null)
        {
            await ledger.DisposeAsync();
        }

        if (sandbox is not null)
        {
            await sandbox.DisposeAsync();
        }
    }

    /// <summary>The same gateway with some settings changed (a host of its own, started on first use).</summary>
    public WebApplicationFactory<Program> With(params (string Key, string Value)[] settings) =>
        Gateway.WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });

    /// <summary>Starts <paramref name="web"/> on a real loopback port, as a browser needs, and points its clients there.</summary>
    public static WebApplicationFactory<Program> OnRealPort(WebApplicationFactory<Program> web)
    {
        web.UseKestrel(0);
        web.StartServer();
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        web.ClientOptions.BaseAddress = new Uri(address);
        return web;
    }

    /// <summary>A client with no token.</summary>
    public HttpClient Anonymous() => Gateway.CreateClient();

    /// <summary>A client whose token names <paramref name="subject"/> with the given roles.</summary>
    public HttpClient As(string subject, params string[] roles) => WithToken(Token(subject, roles));

    public HttpClient WithToken(string token)
    {
        var client = Gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public string Token(string subject, string[] roles, DateTime? now = null, TimeSpan? lifetime = null, int? birthYear = null) =>
        LedgerAuth.Mint(SigningKey(), subject, roles, now ?? DateTime.UtcNow, lifetime ?? TimeSpan.FromHours(1), birthYear);

    private Microsoft.IdentityModel.Tokens.SymmetricSecurityKey SigningKey() =>
        LedgerAuth.SigningKey(Gateway.Services.GetRequiredService<IConfiguration>());
}
