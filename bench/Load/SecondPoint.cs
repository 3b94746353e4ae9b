namespace Ledger.Bench;

/// <summary>
/// One second of a run (the last may be shorter: <paramref name="Seconds"/> long, ending <paramref name="At"/>
/// seconds into the run): requests sent and answered, answers by kind, and the latency of the purchases answered in it.
/// </summary>
public sealed record SecondPoint(
    int Second,
    double At,
    double Seconds,
    long Sent,
    long Requests,
    long Confirmed,
    long Refused,
    long Errors,
    double PurchaseP50Ms,
    double PurchaseP99Ms,
    double PurchaseMaxMs,
    long CitizensDone)
{
    public double PerSecond(long count) => Seconds > 0 ? count / Seconds : 0;
}
