using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>
/// The answer to a policy change. For <c>CapBelowSold</c>, <see cref="Channel"/> and <see cref="Sold"/> say
/// which cap and what it must stay above; for <c>LimitBelowUsed</c>, <see cref="Sold"/> is the highest usage;
/// for <c>ConfirmRequired</c>, <see cref="Reason"/> says what the guard saw.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.SetPolicyResult")]
public sealed record SetPolicyResult(
    [property: Id(0)] SetPolicyOutcome Outcome,
    [property: Id(1)] Policy? Policy = null,
    [property: Id(2)] IReadOnlyList<PolicyError>? Errors = null,
    [property: Id(3)] Channel? Channel = null,
    [property: Id(4)] long? Sold = null,
    [property: Id(5)] string? Reason = null);
