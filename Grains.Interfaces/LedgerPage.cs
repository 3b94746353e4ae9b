namespace Ledger.Grains.Interfaces;

/// <summary>Entries in sequence order; <see cref="Next"/> is the <c>after</c> for the next page, or null when none follows.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.LedgerPage")]
public sealed record LedgerPage(
    [property: Id(0)] IReadOnlyList<LedgerEntry> Entries,
    [property: Id(1)] long? Next)
{
    /// <summary>The most entries one page holds.</summary>
    public const int EntriesMax = 1_000;
}
