namespace Ledger.Grains.Interfaces;

/// <summary>A rule a policy breaks, with the JSON field it concerns.</summary>
[GenerateSerializer, Immutable, Alias("Ledger.PolicyError")]
public sealed record PolicyError(
    [property: Id(0)] string Field,
    [property: Id(1)] string Message);
