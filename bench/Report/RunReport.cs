using System.Text.Json.Serialization;

namespace Ledger.Bench;

/// <summary>
/// One mode's run: rates over the whole run, latency of every purchase request and per outcome, the time to
/// sell-out, errors, the per-second series and the invariants found in the database (null for the no-op,
/// which writes nothing). Goodput is the confirmed rate over the run; peak is the best second.
/// </summary>
public sealed record RunReport(
    string Mode,
    string Scenario,
    int Citizens,
    double ElapsedSeconds,
    double? OfferedPerSecond,
    long Requests,
    long Confirmed,
    double ConfirmedPerSecond,
    double RequestsPerSecond,
    double PeakConfirmedPerSecond,
    OutcomeStats Purchases,
    IReadOnlyDictionary<string, OutcomeStats> Outcomes,
    double? SellOutSeconds,
    long Errors,
    IReadOnlyCollection<string> ErrorSamples,
    InvariantReport? Invariants,
    IReadOnlyList<SecondPoint> Series)
{
    [JsonIgnore]
    public bool InvariantsHold => Invariants?.Hold ?? true;

    public static RunReport From(string mode, Scenario scenario, LoadShape shape, Measurements measurements, InvariantReport? invariants)
    {
        var elapsed = measurements.Clock.Elapsed.TotalSeconds;
        var outcomes = Enum.GetValues<Outcome>().ToDictionary(o => Name(o), measurements.Stats);
        var requests = outcomes.Values.Sum(o => o.Count);
        var confirmed = measurements.Seen.Count;
        return new RunReport(
            mode, scenario.Name, scenario.Citizens.Count, elapsed, shape.RatePerSecond, requests, confirmed,
            confirmed / elapsed, requests / elapsed,
            measurements.Series.Count == 0 ? 0 : measurements.Series.Where(p => p.Seconds >= 0.5).Select(p => p.PerSecond(p.Confirmed)).DefaultIfEmpty(confirmed / elapsed).Max(),
            measurements.PurchaseStats(), outcomes, measurements.SellOutSeconds(), outcomes[Name(Outcome.Error)].Count,
            measurements.ErrorSamples, invariants, measurements.Series);
    }

    public static string Name(Outcome outcome) => outcome switch
    {
        Outcome.SoldOut => "sold-out",
        Outcome.LimitExceeded => "limit-exceeded",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
