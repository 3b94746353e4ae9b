using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Ledger.Grains.Tests;

/// <summary>Shortens Orleans' response timeout, so calls to a killed silo fail fast instead of hanging.</summary>
public sealed class ShortTimeoutsConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const string TimeoutKey = "Ledger:ResponseTimeout";

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = Timeout(siloBuilder.Configuration));

    public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = Timeout(configuration));

    private static TimeSpan Timeout(IConfiguration configuration) => TimeSpan.Parse(configuration[TimeoutKey]!);
}
