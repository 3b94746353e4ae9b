namespace Ledger.Bench;

/// <summary>
/// A buyer's end: the final answer (null when their time ran out first), how many attempts it took, and
/// the seconds from their arrival to the final answer or to giving up.
/// </summary>
public readonly record struct BuyerResult(AttemptAnswer? Final, int Attempts, double Seconds)
{
    public bool IsConfirmed => Final?.Kind == AttemptKind.Confirmed;
}
