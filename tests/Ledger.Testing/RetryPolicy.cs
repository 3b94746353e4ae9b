namespace Ledger.Testing;

/// <summary>
/// How a <see cref="RetryingClient"/> waits between attempts: from <see cref="BackoffMin"/>, doubling up to
/// <see cref="BackoffMax"/>, each wait drawn from its upper half when <see cref="Jitter"/> is set (so that
/// clients turned away together do not all come back together).
/// </summary>
public sealed record RetryPolicy(TimeSpan BackoffMin, TimeSpan BackoffMax, bool Jitter)
{
    /// <summary>The same short wait every time: the grain tests' clients.</summary>
    public static RetryPolicy Steady { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100), Jitter: false);

    /// <summary>As an app backs off: 50 ms doubling to a second, with jitter (the chaos run's buyers).</summary>
    public static RetryPolicy AppLike { get; } = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), Jitter: true);

    public TimeSpan Wait(TimeSpan backoff) => Jitter ? backoff * (0.5 + (Random.Shared.NextDouble() / 2)) : backoff;

    public TimeSpan Next(TimeSpan backoff) => backoff * 2 < BackoffMax ? backoff * 2 : BackoffMax;
}
