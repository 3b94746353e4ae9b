using System.Globalization;

namespace Ledger.Bench;

public sealed record BenchResult(
    string Path,
    int Purchases,
    int Confirmed,
    TimeSpan Elapsed,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    bool Consistent)
{
    public double ConfirmedPerSecond => Confirmed / Elapsed.TotalSeconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Path}: {Confirmed} of {Purchases} confirmed in {Elapsed.TotalSeconds:F2} s = {ConfirmedPerSecond:F0}/s; " +
        $"latency ms p50 {P50Ms:F1} p95 {P95Ms:F1} p99 {P99Ms:F1} max {MaxMs:F1}; audit consistent {Consistent}");
}
