namespace Ledger.Grains.Interfaces;

/// <summary>One version of a program-month's policy: the <paramref name="Version"/>th saved, who saved it and when.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.PolicyVersion")]
public sealed record PolicyVersion(
    [property: Id(0)] long Version,
    [property: Id(1)] Policy Policy,
    [property: Id(2)] string SetBy,
    [property: Id(3)] DateTimeOffset SetAt);
