using Ledger.Grains.Interfaces;

namespace Ledger.Grains.WaitingRoom;

/// <summary>
/// How fast a waiting room admits, adapted from what the gateways measure rather than fixed: while nobody
/// waits it follows the purchases answered per second (what the sale takes now, the rate a queue starts
/// from); while people wait it rises by a tenth each step, and falls by 15% each step in which a gateway
/// turned admitted buyers back (its purchase path was full) or saw its latency over target.
/// It never rises past twice the best second seen lately, so admitting people who do not come back cannot
/// run it away.
/// </summary>
public sealed class AdmissionRate
{
    public const double PerSecondMin = 10;

    public const double PerSecondMax = 100_000;

    /// <summary>The rate before anything was measured.</summary>
    public const double PerSecondFirst = 100;

    /// <summary>How often the rate is adjusted.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the best second is remembered.</summary>
    public static readonly TimeSpan BestFor = TimeSpan.FromSeconds(10);

    private DateTimeOffset stepStarted;
    private int completed;
    private int turnedBack;
    private bool overTarget;
    private double best;
    private DateTimeOffset bestAt;

    public AdmissionRate(DateTimeOffset now) => stepStarted = now;

    public double PerSecond { get; private set; } = PerSecondFirst;

    /// <summary>Purchases answered per second over the last step.</summary>
    public double Answered { get; private set; }

    public void Observe(WaitingRoomReport report)
    {
        completed += report.Completed;
        turnedBack += report.TurnedBack;
        overTarget |= report.OverTarget;
    }

    /// <summary>Adjusts the rate once per <see cref="Step"/>; <paramref name="queueing"/>: whether anyone waits.</summary>
    public void Adjust(DateTimeOffset now, bool queueing)
    {
        var elapsed = now - stepStarted;
        if (elapsed < Step)
        {
            return;
        }

        Answered = completed / elapsed.TotalSeconds;
        if (Answered >= best || now - bestAt > BestFor)
        {
            (best, bestAt) = (Answered, now);
        }

        var ceiling = Math.Max(2 * best, PerSecondFirst);
        if (turnedBack > 0 || overTarget)
        {
            // Answers lag admissions by the buyers' Retry-After, so the fall is from the rate, not to what was answered.
            PerSecond *= 0.85;
        }
        else if (queueing)
        {
            PerSecond = Math.Min(PerSecond * 1.1 + 1, ceiling);
        }
        else
        {
            PerSecond = Math.Max(Answered, PerSecondFirst);
        }

        PerSecond = Math.Clamp(PerSecond, PerSecondMin, PerSecondMax);
        (stepStarted, completed, turnedBack, overTarget) = (now, 0, 0, false);
    }
}
