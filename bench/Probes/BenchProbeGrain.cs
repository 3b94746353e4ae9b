using Orleans.Concurrency;

namespace Ledger.Bench.Probes;

/// <summary>
/// For the benchmark only (<see cref="IBenchProbeGrain"/>): reentrant like the citizen and program-month
/// grains, so a hot one takes calls as they do, and it holds nothing.
/// </summary>
[Reentrant]
[GrainType(BenchProbes.GrainTypeName)]
public sealed class BenchProbeGrain(IGrainFactory grains) : Grain, IBenchProbeGrain
{
    public Task<bool> TouchAsync(string? next) =>
        next is null ? Task.FromResult(true) : grains.GetBenchProbe(next).TouchAsync(null);
}
