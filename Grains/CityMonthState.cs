using Ledger.Grains.Interfaces;

namespace Ledger.Grains;

/// <summary>
/// The program-month grain's Orleans state: its policy, null until one is set. The counters are not here:
/// they live in ledger_heads, written in the same transaction as the ledger entries.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.CityMonthState")]
public sealed record CityMonthState
{
    [Id(0)]
    public Policy? Policy { get; init; }

    /// <summary>Every saved version of the policy, oldest first; null in state saved before versions were kept.</summary>
    [Id(1)]
    public IReadOnlyList<PolicyVersion>? PolicyHistory { get; init; }
}
