namespace Ledger.Bench;

/// <summary>A grain that does nothing: one call per citizen measures what Orleans' activation and call cost alone.</summary>
[Alias("Ledger.Bench.IActivationProbeGrain")]
public interface IActivationProbeGrain : IGrainWithStringKey
{
    [Alias("Touch")]
    Task<bool> TouchAsync();
}

public sealed class ActivationProbeGrain : Grain, IActivationProbeGrain
{
    public Task<bool> TouchAsync() => Task.FromResult(true);
}
