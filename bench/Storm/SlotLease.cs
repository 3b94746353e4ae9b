namespace Ledger.Bench;

/// <summary>
/// One attempt's slot of <see cref="ConnectionSlots"/>, given back once the attempt is over and the socket it
/// opened is closed, whichever comes later. A cancelled request's connect goes on without it (SocketsHttpHandler
/// no longer ties a connection attempt to its request), so the attempt's end alone does not mean its file
/// handle is free; a storm of buyers giving up at once would otherwise open more sockets than the process can hold.
/// </summary>
public sealed class SlotLease(Action giveBack)
{
    private int holds = 1;

    /// <summary>A socket was opened for the attempt: the slot stays taken until it is closed.</summary>
    public void Hold() => Interlocked.Increment(ref holds);

    /// <summary>The attempt ended, or its socket was closed; the last of these gives the slot back.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref holds) == 0)
        {
            giveBack();
        }
    }
}
