using System.Diagnostics;

namespace Ledger.Bench;

/// <summary>Runs every citizen's plan against a driver in the given shape, sampling a point per second.</summary>
public static class LoadRunner
{
    public static async Task<Measurements> RunAsync(
        ILedgerDriver driver, Scenario scenario, LoadShape shape, Action<SecondPoint, Measurements> onSecond)
    {
        var measurements = new Measurements(scenario);
        var flow = new CitizenFlow(driver, scenario, measurements);
        using var stop = new CancellationTokenSource();
        measurements.Clock.Start();
        var sampler = SampleAsync(measurements, onSecond, stop.Token);
        if (shape.OpensAt is { } opening)
        {
            var untilOpening = opening - DateTimeOffset.UtcNow;
            measurements.Opening = measurements.Clock.Elapsed + untilOpening;
            var span = untilOpening - LoadShape.PreQueueArrivalMargin;
            var count = scenario.Citizens.Count;
            await OpenLoopAsync(flow, scenario, i => span > TimeSpan.Zero ? span * i / count : TimeSpan.Zero, measurements.Clock);
        }
        else if (shape.RatePerSecond is { } rate)
        {
            var citizensPerSecond = rate / scenario.RequestsPerCitizen;
            await OpenLoopAsync(flow, scenario, i => TimeSpan.FromSeconds(i / citizensPerSecond), measurements.Clock);
        }
        else
        {
            await ClosedLoopAsync(flow, scenario, shape, measurements.Clock);
        }

        measurements.Clock.Stop();
        await stop.CancelAsync();
        await sampler;
        onSecond(measurements.Tick(), measurements);
        return measurements;
    }

    private static async Task ClosedLoopAsync(CitizenFlow flow, Scenario scenario, LoadShape shape, Stopwatch clock)
    {
        var citizens = scenario.Citizens;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(shape.Concurrency, citizens.Count)).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < citizens.Count; i = Interlocked.Increment(ref next))
            {
                await ArrivalAsync(clock, TimeSpan.FromSeconds(shape.RampSeconds * i / citizens.Count));
                await flow.RunAsync(citizens[i]);
            }
        }));
    }

    /// <summary>Starts each citizen at their arrival instant (<paramref name="due"/> of their index) without waiting for anyone's answers.</summary>
    private static async Task OpenLoopAsync(CitizenFlow flow, Scenario scenario, Func<int, TimeSpan> due, Stopwatch clock)
    {
        var visits = new List<Task>(scenario.Citizens.Count);
        for (var i = 0; i < scenario.Citizens.Count; i++)
        {
            await ArrivalAsync(clock, due(i));
            var plan = scenario.Citizens[i];
            visits.Add(Task.Run(() => flow.RunAsync(plan)));
        }

        await Task.WhenAll(visits);
    }

    private static async Task ArrivalAsync(Stopwatch clock, TimeSpan due)
    {
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait);
        }
    }

    private static async Task SampleAsync(Measurements measurements, Action<SecondPoint, Measurements> onSecond, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                onSecond(measurements.Tick(), measurements);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended; the caller takes the last partial second.
        }
    }
}
