namespace Ledger.Chaos;

/// <summary>
/// A chaos run whose sale takes payment (API.md, "Payments"): each purchase is a hold of <see cref="HoldSeconds"/>
/// until the provider, the sandbox at <see cref="Sandbox"/>, withdraws its price.
/// </summary>
public sealed record ChaosPayments(Uri Sandbox, int HoldSeconds = ChaosPayments.DefaultHoldSeconds)
{
    /// <summary>Short, so that the run's wait for every hold to end (its time and a minute past it) takes minutes.</summary>
    public const int DefaultHoldSeconds = 60;
}
