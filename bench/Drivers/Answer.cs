namespace Ledger.Bench;

/// <summary>What a driver got back: the outcome, the purchase's sequence (or baseline id) when there is one, and why, for errors.</summary>
public readonly record struct Answer(Outcome Outcome, long Sequence = 0, string? Detail = null)
{
    public static Answer Failed(string detail) => new(Outcome.Error, Detail: detail);
}
