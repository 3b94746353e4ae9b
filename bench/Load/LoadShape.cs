namespace Ledger.Bench;

/// <summary>
/// How citizens arrive. Closed loop (no <paramref name="RatePerSecond"/>): at most
/// <paramref name="Concurrency"/> citizens in flight, each arriving at once or spread over
/// <paramref name="RampSeconds"/>. Open loop: citizens arrive so that <paramref name="RatePerSecond"/>
/// requests a second are offered, whatever the answers, as phones do at 09:00. Pre-queue
/// (<paramref name="OpensAt"/>): each citizen on their own, arriving evenly from the start until
/// <see cref="PreQueueArrivalMargin"/> before the opening, whatever the answers; they then wait for it as told.
/// </summary>
public sealed record LoadShape(int Concurrency, double RampSeconds, double? RatePerSecond, DateTimeOffset? OpensAt = null)
{
    /// <summary>
    /// The last pre-queue arrival comes this long before the opening, so that its first requests (which may wait
    /// for one of the client's connections) reach the gateway before it and join the pre-queue.
    /// </summary>
    public static readonly TimeSpan PreQueueArrivalMargin = TimeSpan.FromSeconds(5);
}
