namespace Ledger.Silo.Tests;

/// <summary>
/// The tests that start silo processes run one class at a time: each runs a cluster of real processes,
/// and two clusters at once on a small machine would slow each other's failure detection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SiloProcessCollection
{
    public const string Name = "Silo processes";
}
