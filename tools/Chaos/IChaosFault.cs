using Orleans.Runtime;

namespace Ledger.Chaos;

/// <summary>Something that breaks mid-run and is then repaired: a silo killed and restarted, the database restarted.</summary>
public interface IChaosFault
{
    /// <summary>What the fault does, for the report (filled in once injected, e.g. which silo was killed).</summary>
    string Description { get; }

    /// <summary>
    /// How long the fault is held before <see cref="RepairAsync"/>, or null to repair as soon as purchases
    /// are answered again (a killed silo: the cluster fails over by itself, then the silo is restarted).
    /// </summary>
    TimeSpan? HoldFor { get; }

    /// <param name="hotSilo">The silo that hosts the sale's program-month grain when the fault strikes.</param>
    Task InjectAsync(SiloAddress hotSilo);

    Task RepairAsync();
}
