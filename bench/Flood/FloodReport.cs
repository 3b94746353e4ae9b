namespace Ledger.Bench;

/// <summary>
/// What <c>--scenario flood</c> reports (on the console and in <c>--json</c>): the rounds, and per pair of rounds the
/// buyer's p99 in the flood over the p99 in the quiet round before it, and the silos' resident memory at the flood's
/// end less at the quiet round's end; the worst of each against issue 18's bounds; with <c>--control</c> the same
/// ratio for the control round (the floor: the flood's HTTP alone); and the metrics check.
/// </summary>
public sealed record FloodReport(
    IReadOnlyList<string> Arguments,
    DateTimeOffset At,
    int Cores,
    string Url,
    string ProgramMonth,
    double BuyerPerSecond,
    double FloodPerSecond,
    double RoundSeconds,
    IReadOnlyList<FloodRound> Rounds,
    IReadOnlyList<double> P99Ratios,
    IReadOnlyList<double> SiloGrowthMiB,
    IReadOnlyList<double> ControlP99Ratios,
    FloodSeries? Series)
{
    /// <summary>Issue 18: during the flood, buyers' p99 within this factor of a quiet round's.</summary>
    public const double P99RatioMax = 1.2;

    /// <summary>Issue 18: silo memory within this of a quiet round's.</summary>
    public const double SiloGrowthMiBMax = 50;

    public bool Passed =>
        P99Ratios.All(r => r <= P99RatioMax) && SiloGrowthMiB.All(g => g <= SiloGrowthMiBMax) && Series is not { Found: false };
}
