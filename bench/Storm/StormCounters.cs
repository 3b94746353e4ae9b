using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ledger.Bench;

/// <summary>
/// What the storm's attempts met, safe to count from any thread: attempts by kind, the same by detail
/// (<c>connect ConnectionRefused</c>, <c>409 limit-exceeded</c>), buyers arrived and answered, and the
/// seconds of the run in which a purchase was answered with a 5xx other than 503.
/// </summary>
public sealed class StormCounters(Stopwatch clock)
{
    private readonly long[] byKind = new long[Enum.GetValues<AttemptKind>().Length];
    private readonly ConcurrentDictionary<string, long> byDetail = new();
    private readonly ConcurrentDictionary<long, bool> serverErrorSeconds = new();
    private long arrived;
    private long answered;
    private long confirmed;

    public Stopwatch Clock { get; } = clock;

    public long Arrived => Interlocked.Read(ref arrived);

    /// <summary>Buyers with a final answer.</summary>
    public long Answered => Interlocked.Read(ref answered);

    public long Confirmed => Interlocked.Read(ref confirmed);

    public long Attempts => Enum.GetValues<AttemptKind>().Sum(Of);

    public IReadOnlyDictionary<string, long> ByDetail => new SortedDictionary<string, long>(byDetail, StringComparer.Ordinal);

    /// <summary>The whole seconds (from the start of the storm) in which a purchase got a 5xx other than 503.</summary>
    public IReadOnlySet<long> ServerErrorSeconds => serverErrorSeconds.Keys.ToHashSet();

    public long Of(AttemptKind kind) => Interlocked.Read(ref byKind[(int)kind]);

    public void Arrival() => Interlocked.Increment(ref arrived);

    /// <summary>A purchase was answered with a 5xx other than 503 in this second.</summary>
    public void ServerErrorNow() => serverErrorSeconds.TryAdd((long)Clock.Elapsed.TotalSeconds, true);

    public void Count(AttemptAnswer answer)
    {
        Interlocked.Increment(ref byKind[(int)answer.Kind]);
        byDetail.AddOrUpdate(answer.Detail, 1, (_, count) => count + 1);
        if (answer.Kind == AttemptKind.ServerError)
        {
            ServerErrorNow();
        }

        if (answer.IsFinal)
        {
            Interlocked.Increment(ref answered);
            if (answer.Kind == AttemptKind.Confirmed)
            {
                Interlocked.Increment(ref confirmed);
            }
        }
    }
}
