using System.Globalization;

namespace Ledger.Bench;

/// <summary>A line a second while the storm runs, kept as the report's series; the watched processes' open files sampled with it.</summary>
public sealed class StormProgress(int buyers, StormCounters counters, ConnectionSlots slots, ReadinessProbe probe, ProcessWatch watch)
{
    private readonly List<StormSecond> series = [];
    private readonly long[] before = new long[Enum.GetValues<AttemptKind>().Length];

    public IReadOnlyList<StormSecond> Series => series;

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                Tick();
            }
        }
        catch (OperationCanceledException)
        {
            // The storm is over; the caller takes the last partial second.
        }
    }

    public void Tick()
    {
        var openFiles = watch.Sample();
        long Delta(AttemptKind kind)
        {
            var now = counters.Of(kind);
            var delta = now - before[(int)kind];
            before[(int)kind] = now;
            return delta;
        }

        var kinds = Enum.GetValues<AttemptKind>().ToDictionary(k => k, Delta);
        var second = new StormSecond(
            series.Count + 1, counters.Clock.Elapsed.TotalSeconds, counters.Arrived, counters.Answered, counters.Confirmed, kinds.Values.Sum(),
            kinds[AttemptKind.Unavailable], kinds[AttemptKind.TooManyRequests], kinds[AttemptKind.ServerError],
            kinds[AttemptKind.ConnectFailed], kinds[AttemptKind.NoAnswer], kinds[AttemptKind.TimedOut], slots.Open, openFiles, probe.Last);
        series.Add(second);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"storm: {second.At,6:F1} s  arrived {second.Arrived}/{buyers}  answered {second.Answered}  confirmed {second.Confirmed}  " +
            $"attempts {second.Attempts}  503 {second.Unavailable}  429 {second.TooManyRequests}  5xx {second.ServerErrors}  " +
            $"connect failed {second.ConnectFailed}  no answer {second.NoAnswer}  timed out {second.TimedOut}  " +
            $"open {second.OpenConnections}  {string.Join("  ", openFiles.Select(f => $"{f.Key} files {f.Value}"))}  {second.Readiness}"));
    }
}
