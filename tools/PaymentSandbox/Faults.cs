namespace Ledger.PaymentSandbox;

/// <summary>
/// The faults the sandbox plays (API.md): declines, answers lost after the transfer was done, latency, and
/// being down. All optional; <c>{}</c> resets to none.
/// </summary>
/// <param name="LatencyMs">The least and the most milliseconds before an answer, drawn uniformly.</param>
public sealed record Faults(double? DeclineRate = null, double? LostAnswerRate = null, int[]? LatencyMs = null, bool? Down = null)
{
    public static readonly Faults None = new();

    /// <summary>Each field the faults break, as (field, message) pairs; empty when they are valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (DeclineRate is < 0 or > 1 || DeclineRate is double.NaN)
        {
            errors.Add(("declineRate", "A rate is from 0 to 1."));
        }

        if (LostAnswerRate is < 0 or > 1 || LostAnswerRate is double.NaN)
        {
            errors.Add(("lostAnswerRate", "A rate is from 0 to 1."));
        }

        if (LatencyMs is not null && (LatencyMs.Length != 2 || LatencyMs[0] < 0 || LatencyMs[1] < LatencyMs[0] || LatencyMs[1] > 60_000))
        {
            errors.Add(("latencyMs", "The latency is [least, most] milliseconds, 0 <= least <= most <= 60000."));
        }

        return errors;
    }
}
