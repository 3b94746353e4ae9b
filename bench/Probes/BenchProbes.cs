using Ledger.Grains.Interfaces;

namespace Ledger.Bench.Probes;

/// <summary>
/// References to the probe grains, built as <see cref="LedgerGrains"/> builds the ledger's: the same cost per call.
/// </summary>
public static class BenchProbes
{
    public const string GrainTypeName = "benchprobe";

    public static readonly GrainType GrainType = GrainType.Create(GrainTypeName);

    public static IBenchProbeGrain GetBenchProbe(this IGrainFactory grains, string key) =>
        LedgerGrains.Get<IBenchProbeGrain>(grains, GrainType, key);
}
