namespace Ledger.Bench.Probes;

/// <summary>
/// For the benchmark only: a grain that does no work. Called with the key of another, it calls that one and
/// answers when it has, so the bench gateway's grain-hops floor (<c>/bench/grain-hops/...</c>) makes the
/// purchase path's two grain calls, one grain per citizen and one per program-month, with no ledger work.
/// </summary>
[Alias("Ledger.IBenchProbeGrain")]
public interface IBenchProbeGrain : IGrainWithStringKey
{
    /// <summary>Calls the probe grain <paramref name="next"/> first, when one is named.</summary>
    [Alias("Touch")]
    Task<bool> TouchAsync(string? next);
}
