using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// What the gateway sells when buyers are not a storm, measured in the storm's run just before it, so that the
/// storm's goodput has a peak to be compared with on the same machine at the same moment: a program-month of its
/// own with the storm's cap, bought out by a closed loop of <see cref="Connections"/> keep-alive connections,
/// one purchase per buyer (coming back when queued, as told). <see cref="PeakPerSecond"/> is the peak: the
/// confirmed purchases of the busiest <see cref="WindowSeconds"/> consecutive seconds of the per-second series,
/// over their length (the whole run's rate when it is shorter); <see cref="BestSecondPerSecond"/> the best single
/// second, for reference.
/// </summary>
public sealed record ClosedLoopPeak(
    int Connections,
    int Buyers,
    long Confirmed,
    double ElapsedSeconds,
    int WindowSeconds,
    double PeakPerSecond,
    double BestSecondPerSecond,
    long Refused,
    long Errors,
    long ServerErrors,
    long Unavailable503,
    IReadOnlyCollection<string> ErrorSamples,
    InvariantReport? Invariants)
{
    /// <summary>
    /// The peak's window: two seconds, so that one lucky second (group commits land unevenly across second
    /// boundaries) does not set it, yet short enough to leave out the loop's start and tail.
    /// </summary>
    public const int PeakWindowSeconds = 2;

    /// <summary>The share of the window a span of points must cover to count as one.</summary>
    public const double WindowShareMin = 0.9;

    /// <summary>Buys out the storm's peak sale in a closed loop and reads its invariants from the database.</summary>
    public static async Task<ClosedLoopPeak> MeasureAsync(BenchOptions options, StormSale sale, TokenMinter minter)
    {
        var scenario = sale.PeakScenario();
        var shape = new LoadShape(options.Connections, 0, null);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"storm: first the closed-loop peak: {scenario.Citizens.Count} buyers of {sale.PeakSale.ProgramMonth}, {options.Connections} keep-alive connections"));
        Measurements measurements;
        await using (var driver = new HttpDriver(options.Url, options.Connections, minter))
        {
            await driver.SetUpAsync(scenario);
            measurements = await LiveProgress.RunAsync("storm peak", scenario.Citizens.Count,
                onSecond => LoadRunner.RunAsync(driver, scenario, shape, onSecond));
        }

        var invariants = await LedgerInvariants.TryCheckAsync(options.ConnectionString, scenario, measurements.Seen);
        var run = RunReport.From("storm peak", scenario, shape, measurements, invariants);
        return new ClosedLoopPeak(
            options.Connections, scenario.Citizens.Count, run.Confirmed, run.ElapsedSeconds, PeakWindowSeconds,
            WindowPeak(run.Series, PeakWindowSeconds, run.Confirmed / Math.Max(run.ElapsedSeconds, 0.001)),
            run.PeakConfirmedPerSecond, run.Outcomes[RunReport.Name(Outcome.Refused)].Count, run.Errors,
            run.ServerErrors, run.Unavailable503, run.ErrorSamples, invariants);
    }

    /// <summary>
    /// The best rate over consecutive points of the series that span <paramref name="window"/> seconds (at least
    /// <see cref="WindowShareMin"/> of it: the sampler ticks late under load, and the run's last point may be a
    /// fraction of a second); <paramref name="fallback"/> when the run is shorter.
    /// </summary>
    public static double WindowPeak(IReadOnlyList<SecondPoint> series, int window, double fallback)
    {
        var best = (double?)null;
        for (var i = 0; i < series.Count; i++)
        {
            var (seconds, confirmed) = (0.0, 0L);
            for (var j = i; j < series.Count && seconds < window * WindowShareMin; j++)
            {
                (seconds, confirmed) = (seconds + series[j].Seconds, confirmed + series[j].Confirmed);
            }

            if (seconds >= window * WindowShareMin)
            {
                best = Math.Max(best ?? 0, confirmed / seconds);
            }
        }

        return best ?? fallback;
    }
}
