namespace Ledger.Bench;

/// <summary>
/// A buyer's end: the final answer (null when their time ran out first), how many attempts it took, the
/// seconds from their arrival to the final answer or to giving up, when that was on the storm's clock
/// (<paramref name="FinalAt"/>, seconds from the first arrival), and the wait the last 429 told them
/// (<paramref name="LastQueuedWaitSeconds"/>: its Retry-After, or the default wait without one; null when they
/// were never queued).
/// </summary>
public readonly record struct BuyerResult(AttemptAnswer? Final, int Attempts, double Seconds, double FinalAt, double? LastQueuedWaitSeconds)
{
    public bool IsConfirmed => Final?.Kind == AttemptKind.Confirmed;

    public bool IsSoldOut => Final?.Kind == AttemptKind.SoldOut;
}
