using Ledger.Chaos;
using Orleans.Runtime;

namespace Ledger.Cli.Chaos;

/// <summary>kill -9 of the silo hosting the sale; the repair brings the silos back to <paramref name="silos"/> from the same build.</summary>
public sealed class SiloKillFault(Silos clusterSilos, int silos, string connectionString, TimeSpan? holdFor) : IChaosFault
{
    public const string Name = "kill -9 of the silo hosting the sale";

    public string Description { get; private set; } = $"{Name} (not yet struck)";

    public TimeSpan? HoldFor { get; } = holdFor;

    public Task InjectAsync(SiloAddress hotSilo)
    {
        Description = $"{Name}: {clusterSilos.Kill(hotSilo.Endpoint.Port)}";
        return Task.CompletedTask;
    }

    public async Task RepairAsync()
    {
        // The silos running now were built for this run: the killed one comes back sooner without a build.
        clusterSilos.UseBuiltSilo();
        await clusterSilos.ScaleAsync(silos, connectionString);
    }
}
