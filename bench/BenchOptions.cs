namespace Ledger.Bench;

/// <summary>
/// What one run of the bench does, read from its command line by <see cref="BenchCommandLine"/> (<c>bench --help</c> lists
/// every flag, its default and which scenarios read it).
/// </summary>
public sealed record BenchOptions(
    string Scenario,
    string Mode,
    int Citizens,
    double RampSeconds,
    double? Rate,
    int Concurrency,
    int Connections,
    double? Supply,
    string Url,
    bool Baseline,
    int BaselineConcurrency,
    string? JsonFile,
    string? ChartFile,
    string ConnectionString,
    int Purchases,
    int Rounds,
    string? Only,
    int? PreQueueMinutes,
    int Replay,
    double RoundSeconds,
    bool Payment,
    double BuyerRate,
    bool Control)
{
    public static readonly string[] Scenarios = ["dec-2022", "single-hot", "nationwide", "paths", "storm", "ticket-check", "flood"];
    public static readonly string[] Modes = ["grains", "http", "baseline"];

    public string? ChartPath => ChartFile ?? (JsonFile is null ? null : Path.ChangeExtension(JsonFile, ".png"));
}
