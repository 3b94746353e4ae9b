namespace Ledger.Bench;

/// <summary>
/// The purchase by a fresh citizen once every buyer has a final answer, on a new connection, one attempt:
/// served normally when confirmed (201) or refused sold-out (409), as the cap is gone.
/// </summary>
public sealed record AfterStormPurchase(int Status, string Answer, double LatencyMs, bool Served)
{
    public static AfterStormPurchase From(AttemptAnswer answer, TimeSpan latency) => new(
        answer.Status, answer.Detail, latency.TotalMilliseconds, answer.Kind is AttemptKind.Confirmed or AttemptKind.SoldOut);
}
