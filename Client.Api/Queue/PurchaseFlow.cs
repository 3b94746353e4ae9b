using System.Diagnostics;

namespace Ledger.Client.Api.Queue;

/// <summary>
/// How many purchases this gateway lets into the ledger at once, adapted to their latency: the limit falls
/// by a tenth each step whose mean latency is over target and rises by a twentieth each step that used most
/// of it within target. The target is four times the best step's mean latency lately (the sale unloaded),
/// between <see cref="TargetMin"/> and <see cref="TargetMax"/>. A purchase past the limit waits in the waiting
/// room instead of piling onto the ledger.
/// </summary>
public sealed class PurchaseFlow
{
    public const int LimitMin = 8;

    public const int LimitMax = 4_096;

    public const int LimitFirst = 256;

    public static readonly TimeSpan TargetMin = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan TargetMax = TimeSpan.FromSeconds(1);

    /// <summary>How long the best step is remembered as the unloaded latency.</summary>
    public static readonly TimeSpan BaselineFor = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private int inFlight;
    private int inFlightPeak;
    private int limit = LimitFirst;
    private long latencyTicksSum;
    private int completed;
    private double baseline = double.MaxValue;
    private long baselineAt;

    public int Limit => Volatile.Read(ref limit);

    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Whether the last step's latency was over target.</summary>
    public bool OverTarget { get; private set; }

    /// <summary>The latency over which a step counts as overloaded.</summary>
    public TimeSpan Target { get; private set; } = TargetMin;

    /// <summary>Takes a place in the ledger's flow if there is one; <see cref="Exit"/> it after the answer.</summary>
    public bool TryEnter()
    {
        var now = Interlocked.Increment(ref inFlight);
        if (now > Volatile.Read(ref limit))
        {
            Interlocked.Decrement(ref inFlight);
            return false;
        }

        if (now > Volatile.Read(ref inFlightPeak))
        {
            Volatile.Write(ref inFlightPeak, now);
        }

        return true;
    }

    /// <summary>Takes a place whatever the limit: for a purchase that is cheap to answer and must not queue.</summary>
    public void Enter() => Interlocked.Increment(ref inFlight);

    public void Exit(long startedAt)
    {
        Interlocked.Decrement(ref inFlight);
        Interlocked.Add(ref latencyTicksSum, Stopwatch.GetElapsedTime(startedAt).Ticks);
        Interlocked.Increment(ref completed);
    }

    /// <summary>Adjusts the limit from the step just ended; called once per step.</summary>
    public void Step()
    {
        lock (gate)
        {
            var count = Interlocked.Exchange(ref completed, 0);
            var sum = Interlocked.Exchange(ref latencyTicksSum, 0);
            var peak = Interlocked.Exchange(ref inFlightPeak, 0);
            if (count == 0)
            {
                OverTarget = false;
                return;
            }

            var mean = (double)sum / count;
            var now = Stopwatch.GetTimestamp();
            if (mean <= baseline || Stopwatch.GetElapsedTime(baselineAt) > BaselineFor)
            {
                (baseline, baselineAt) = (mean, now);
            }

            Target = TimeSpan.FromTicks((long)Math.Clamp(4 * baseline, TargetMin.Ticks, TargetMax.Ticks));
            OverTarget = mean > Target.Ticks;
            var next = OverTarget ? limit * 0.9
                : peak >= limit * 0.8 ? limit + Math.Max(1, limit / 20)
                : limit;
            Volatile.Write(ref limit, Math.Clamp((int)next, LimitMin, LimitMax));
        }
    }
}
