namespace Ledger.Chaos;

/// <summary>The payment sandbox's faults (API.md, "The payment sandbox"): each null field is no such fault.</summary>
/// <param name="LatencyMs">The least and the most milliseconds before each answer of the bank's.</param>
public sealed record BankFaults(double? DeclineRate = null, double? LostAnswerRate = null, int[]? LatencyMs = null, bool? Down = null)
{
    /// <summary>No fault: the bank answers every request at once and approves every withdrawal.</summary>
    public static BankFaults None { get; } = new();

    /// <summary>The drill's misbehaving bank: 10% of withdrawals declined, 10% of answers lost, answers in 5 ms to 5 s.</summary>
    public static BankFaults Unreliable { get; } = new(DeclineRate: 0.1, LostAnswerRate: 0.1, LatencyMs: [5, 5_000]);

    public override string ToString() => this == None
        ? "no faults"
        : string.Join(", ", new[]
        {
            DeclineRate is { } declines ? $"{declines:P0} declined" : null,
            LostAnswerRate is { } lost ? $"{lost:P0} of answers lost" : null,
            LatencyMs is [var least, var most] ? $"answers in {least}-{most} ms" : null,
            Down == true ? "down" : null,
        }.OfType<string>());
}
