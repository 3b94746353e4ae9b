using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;
using Orleans.TestingHost;

namespace Ledger.Grains.Tests;

/// <summary>Configures each test silo as the real silo is configured, with the test cluster's clock.</summary>
public sealed class LedgerSiloConfigurator : ISiloConfigurator
{
    public const string ClockKey = "Ledger:TestClock";
    public const string LedgerConnectionKey = "Ledger:LedgerConnection";
    public const string GrainStateConnectionKey = "Ledger:GrainStateConnection";

    public void Configure(ISiloBuilder siloBuilder)
    {
        var configuration = siloBuilder.Configuration;
        siloBuilder.AddLedger(
            configuration[LedgerConnectionKey] ?? TestDatabase.ConnectionString,
            configuration[GrainStateConnectionKey] ?? TestDatabase.ConnectionString);
        siloBuilder.AddActivityPropagation();
        siloBuilder.AddDashboard();
        siloBuilder.Services.AddKeyedSingleton<TimeProvider>(
            LedgerClock.Key, TestClocks.For(configuration[ClockKey] ?? "default"));
    }
}
