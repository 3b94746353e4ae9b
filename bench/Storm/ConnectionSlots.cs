using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// The bound on this process's open connections, so that the storm's own side never runs out of file
/// handles or local ports (a failed connect must be the gateway's doing, not the probe's): a buyer takes a
/// slot before connecting and holds it until the attempt is over and its socket closed (<see cref="SlotLease"/>).
/// A buyer who finds none free waits for one, and that wait counts in their time.
/// </summary>
public sealed class ConnectionSlots(int count) : IDisposable
{
    /// <summary>
    /// File handles kept back for the process's own (the runtime's, the readiness probe's connection, reads of
    /// /proc): about four times what it was seen to hold besides the buyers' sockets. Past its limit the runtime
    /// itself fails ("Out of memory." and an abort), so the margin errs high; but each handle kept back is a
    /// phone the storm does not offer the gateway.
    /// </summary>
    public const int FileHandlesReserved = 512;

    /// <summary>Local ports kept back: every connection to the gateway takes one of the ephemeral range.</summary>
    public const int LocalPortsReserved = 1_024;

    /// <summary>The most slots whatever the limits, for a machine with neither bound.</summary>
    public const int SlotsMax = 1_000_000;

    private readonly SemaphoreSlim free = new(count, count);
    private long waits;
    private int open;
    private int openPeak;

    public int Count { get; } = count;

    /// <summary>Times a buyer found no slot free and waited.</summary>
    public long Waits => Interlocked.Read(ref waits);

    public int Open => Volatile.Read(ref open);

    public int OpenPeak => Volatile.Read(ref openPeak);

    /// <summary>The slots for a file limit and this machine's ephemeral port range.</summary>
    public static int Bound(long fileLimit)
    {
        var byFiles = fileLimit - FileHandlesReserved;
        var byPorts = LocalPorts() is { } ports ? ports - LocalPortsReserved : SlotsMax;
        return (int)Math.Clamp(Math.Min(byFiles, byPorts), 1, SlotsMax);
    }

    public async Task<SlotLease> EnterAsync(CancellationToken cancellationToken)
    {
        if (!free.Wait(0, CancellationToken.None))
        {
            Interlocked.Increment(ref waits);
            await free.WaitAsync(cancellationToken);
        }

        var now = Interlocked.Increment(ref open);
        for (var peak = Volatile.Read(ref openPeak); now > peak; peak = Volatile.Read(ref openPeak))
        {
            if (Interlocked.CompareExchange(ref openPeak, now, peak) == peak)
            {
                break;
            }
        }

        return new SlotLease(Leave);
    }

    public void Dispose() => free.Dispose();

    private void Leave()
    {
        Interlocked.Decrement(ref open);
        free.Release();
    }

    private static long? LocalPorts()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        var bounds = File.Exists(path) ? File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        return bounds.Length == 2
            && long.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
            && long.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
            ? high - low + 1
            : null;
    }
}
