using ScottPlot;

namespace Ledger.Bench;

/// <summary>A PNG of the run per second: confirmed and requests per second (and the baseline's), refusals, and purchase p99 latency.</summary>
public static class ChartWriter
{
    public const int Width = 1200;
    public const int Height = 700;

    public static void Write(string path, BenchReport report)
    {
        var plot = new Plot();
        var run = report.Run;
        Add(plot, run.Series, p => p.PerSecond(p.Requests), $"{run.Mode} requests/s");
        Add(plot, run.Series, p => p.PerSecond(p.Confirmed), $"{run.Mode} confirmed/s");
        if (run.OfferedPerSecond is not null)
        {
            Add(plot, run.Series, p => p.PerSecond(p.Sent), $"{run.Mode} sent/s (offered)");
        }

        if (run.Series.Any(p => p.Refused > 0))
        {
            Add(plot, run.Series, p => p.PerSecond(p.Refused), $"{run.Mode} refused/s (429/503/busy)");
        }

        if (report.Baseline is { } baseline)
        {
            Add(plot, baseline.Series, p => p.PerSecond(p.Confirmed), "baseline confirmed/s");
        }

        if (report.NoOp is { } noOp)
        {
            Add(plot, noOp.Series, p => p.PerSecond(p.Requests), "gateway no-op requests/s");
        }

        if (report.GrainHops is { } hops)
        {
            Add(plot, hops.Series, p => p.PerSecond(p.Requests), "gateway + 2 probe grain calls requests/s");
        }

        var latency = Add(plot, run.Series, p => p.PurchaseP99Ms, $"{run.Mode} purchase p99 (ms, right)");
        latency.Axes.YAxis = plot.Axes.Right;
        latency.LinePattern = LinePattern.Dashed;

        plot.Title($"{report.Scenario}, {report.Mode}, {report.Citizens} citizens");
        plot.Axes.Bottom.Label.Text = "seconds into the run";
        plot.Axes.Left.Label.Text = "per second";
        plot.Axes.Right.Label.Text = "purchase p99 latency (ms)";
        // Rates and latencies are never negative: no room below zero.
        plot.Axes.AutoScale();
        plot.Axes.Left.Min = 0;
        plot.Axes.Right.Min = 0;
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    private static ScottPlot.Plottables.Scatter Add(Plot plot, IReadOnlyList<SecondPoint> series, Func<SecondPoint, double> value, string label)
    {
        var scatter = plot.Add.Scatter(series.Select(p => p.At).ToArray(), series.Select(value).ToArray());
        scatter.LegendText = label;
        scatter.MarkerSize = 3;
        scatter.LineWidth = 2;
        return scatter;
    }
}
