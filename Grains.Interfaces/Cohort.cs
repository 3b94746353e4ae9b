namespace Ledger.Grains.Interfaces;

/// <summary>A group of citizens, by birth year, whose sale opens at <see cref="OpensAt"/>; the cap and limits are shared.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.Cohort")]
public sealed record Cohort(
    [property: Id(0)] BirthYears BirthYears,
    [property: Id(1)] DateTimeOffset OpensAt);
