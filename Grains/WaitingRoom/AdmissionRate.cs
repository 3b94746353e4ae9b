using Ledger.Grains.Interfaces;

namespace Ledger.Grains.WaitingRoom;

/// <summary>
/// How fast a waiting room admits, adapted from what the sale shows rather than fixed. While nobody waits
/// it follows the purchases answered per second (what the sale takes now, the rate a queue starts from).
/// While people wait it rises by a quarter each step, and falls by a fifth (to no less than half of what is
/// answered) each step in which the sale was overloaded: a gateway turned admitted buyers back (its purchases in flight were at their bound), or the
/// program-month's backlog of purchases waiting for their commit passed <see cref="PendingHigh"/>. It never
/// rises past twice the best step of the last <see cref="BestFor"/> (at least <see cref="PerSecondFirst"/>),
/// so admitting people who do not come back cannot run it away.
/// </summary>
/// <remarks>
/// Latency was the first signal tried: a gateway answering a flood of queued retries delays every
/// continuation, its purchases' latency rose with it, and the rate fell to a fraction of what the ledger
/// took (a sixth, in the storm benchmark). Turned-back buyers and the ledger's own backlog measure the
/// purchase path, not the gateway's load.
/// </remarks>
public sealed class AdmissionRate
{
    public const double PerSecondMin = 10;

    public const double PerSecondMax = 100_000;

    /// <summary>The rate before anything was measured.</summary>
    public const double PerSecondFirst = 100;

    /// <summary>A backlog past this many purchases waiting for their commit means the ledger is behind.</summary>
    public const int PendingHigh = 2_000;

    /// <summary>How often the rate is adjusted.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the best step is remembered.</summary>
    public static readonly TimeSpan BestFor = TimeSpan.FromSeconds(10);

    // Purchases answered, as reported, over the last second; and the answered rate of each step of the last BestFor.
    private readonly Queue<(DateTimeOffset At, int Completed)> answers = new();
    private readonly Queue<(DateTimeOffset At, double PerSecond)> steps = new();
    private DateTimeOffset stepStarted;
    private int turnedBack;
    private int pendingPeak;

    public AdmissionRate(DateTimeOffset now) => stepStarted = now;

    public double PerSecond { get; private set; } = PerSecondFirst;

    /// <summary>Purchases answered over the last second (reports are a few per second, so a step alone is noisy).</summary>
    public double Answered { get; private set; }

    /// <summary>Whether the last step saw the sale overloaded.</summary>
    public bool Overloaded { get; private set; }

    public void Observe(WaitingRoomReport report, DateTimeOffset now)
    {
        answers.Enqueue((now, report.Completed));
        turnedBack += report.TurnedBack;
    }

    /// <summary>The program-month's purchases waiting for their commit, as last read.</summary>
    public void ObservePending(int pending) => pendingPeak = Math.Max(pendingPeak, pending);

    /// <summary>Adjusts the rate once per <see cref="Step"/>; <paramref name="queueing"/>: whether anyone waits.</summary>
    public void Adjust(DateTimeOffset now, bool queueing)
    {
        if (now - stepStarted < Step)
        {
            return;
        }

        while (answers.TryPeek(out var oldest) && now - oldest.At > TimeSpan.FromSeconds(1))
        {
            answers.Dequeue();
        }

        Answered = answers.Sum(a => a.Completed);
        steps.Enqueue((now, Answered));
        while (steps.TryPeek(out var oldest) && now - oldest.At > BestFor)
        {
            steps.Dequeue();
        }

        var best = steps.Max(s => s.PerSecond);
        Overloaded = turnedBack > 0 || pendingPeak > PendingHigh;
        // Overloaded, it falls, but not below half of what is being answered: buyers admitted earlier are still
        // coming back (after their Retry-After), and starving the sale meanwhile only wastes it.
        PerSecond = Overloaded ? Math.Max(PerSecond * 0.8, Answered / 2)
            : queueing ? Math.Min(PerSecond * 1.25 + 1, Math.Max(2 * best, PerSecondFirst))
            : Math.Max(Answered, PerSecondFirst);
        PerSecond = Math.Clamp(PerSecond, PerSecondMin, PerSecondMax);
        (stepStarted, turnedBack, pendingPeak) = (now, 0, 0);
    }
}
