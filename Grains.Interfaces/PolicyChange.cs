namespace Ledger.Grains.Interfaces;

/// <summary>
/// A policy change as an operator asks for it: who asks (the token's subject), and whether they confirmed a
/// change the guard would otherwise refuse (all caps zero, or a cap cut by more than half near or during the sale).
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.PolicyChange")]
public sealed record PolicyChange(
    [property: Id(0)] Policy Policy,
    [property: Id(1)] string SetBy,
    [property: Id(2)] bool Confirmed)
{
    /// <summary>Who set a policy that came from a tool or a test rather than through the gateway.</summary>
    public const string Unattributed = "(unattributed)";
}
