namespace Ledger.PaymentSandbox;

/// <summary>Plays the faults in force: each call draws afresh, so rates hold over many transfers.</summary>
public sealed class FaultPlayer
{
    private volatile Faults current = Faults.None;

    public Faults Current
    {
        get => current;
        set => current = value;
    }

    public bool IsDown => current.Down == true;

    public bool Declines() => Draw(current.DeclineRate);

    public bool LosesAnswer() => Draw(current.LostAnswerRate);

    public TimeSpan Latency() => current.LatencyMs is [var least, var most]
        ? TimeSpan.FromMilliseconds(Random.Shared.Next(least, most + 1))
        : TimeSpan.Zero;

    private static bool Draw(double? rate) => rate is > 0 && Random.Shared.NextDouble() < rate;
}
