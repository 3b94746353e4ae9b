namespace Ledger.Client.Api.Queue;

/// <summary>
/// How many purchases this gateway lets into the ledger at once (<c>Ledger:WaitingRoom:PurchasesInFlightMax</c>).
/// A purchase past it waits in the waiting room instead of piling onto the ledger; an admitted buyer turned
/// back here tells the room to slow down. The bound is a safety valve, not the pace: the room's admission
/// rate adapts (Grains' AdmissionRate).
/// </summary>
public sealed class PurchaseFlow(int limit)
{
    public const string LimitSetting = "Ledger:WaitingRoom:PurchasesInFlightMax";

    public const int LimitDefault = 512;

    private int inFlight;

    /// <summary>Takes a place in the ledger's flow if there is one; <see cref="Exit"/> it after the answer.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref inFlight) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref inFlight);
        return false;
    }

    /// <summary>Takes a place whatever the limit: for a purchase that is cheap to answer and must not queue.</summary>
    public void Enter() => Interlocked.Increment(ref inFlight);

    public void Exit() => Interlocked.Decrement(ref inFlight);
}
