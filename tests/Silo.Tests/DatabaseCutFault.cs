using Ledger.Grains.Tests;
using Ledger.Chaos;
using Orleans.Runtime;

namespace Ledger.Silo.Tests;

/// <summary>The database goes away for a while, as in a restart: every connection breaks, new ones are refused.</summary>
public sealed class DatabaseCutFault(TcpProxy database, TimeSpan outage) : IChaosFault
{
    public string Description => $"every silo cut off from PostgreSQL for {outage.TotalSeconds:F0} s";

    public TimeSpan? HoldFor => outage;

    public Task InjectAsync(SiloAddress hotSilo)
    {
        database.Cut();
        return Task.CompletedTask;
    }

    public Task RepairAsync()
    {
        database.Restore();
        return Task.CompletedTask;
    }
}
