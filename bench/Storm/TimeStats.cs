namespace Ledger.Bench;

/// <summary>Times in seconds over a group of buyers: how many, the median, p90, p99 and the longest (nearest rank).</summary>
public sealed record TimeStats(int Count, double MedianSeconds, double P90Seconds, double P99Seconds, double MaxSeconds)
{
    public static TimeStats Of(IEnumerable<double> seconds)
    {
        var sorted = seconds.Order().ToArray();
        double At(double quantile) => sorted.Length == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
        return new TimeStats(sorted.Length, At(0.50), At(0.90), At(0.99), At(1));
    }
}
