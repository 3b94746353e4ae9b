using System.Text.Json.Serialization;

namespace Ledger.Bench;

/// <summary>
/// One mode's run: rates over the whole run, latency of every purchase request and per outcome, the time to
/// sell-out, errors, the per-second series and the invariants found in the database (null for the no-op,
/// which writes nothing). Confirmed per second counts until the last confirmation (after a sell-out only cheap
/// refusals follow, which would dilute the rate); requests per second over the whole run; goodput is
/// confirmed purchases over the whole run, and peak the best second's confirmed rate. With a pre-queue, the
/// opening's instant in the run and how long after it the last citizen had every final answer. Answers with a
/// 5xx status are counted apart (503 included; <see cref="Unavailable503"/> of them 503).
/// </summary>
public sealed record RunReport(
    string Mode,
    string Scenario,
    int Citizens,
    double ElapsedSeconds,
    double? OfferedPerSecond,
    double SentPerSecond,
    long Requests,
    long Confirmed,
    double ConfirmedPerSecond,
    double RequestsPerSecond,
    double GoodputPerSecond,
    double PeakConfirmedPerSecond,
    OutcomeStats Purchases,
    IReadOnlyDictionary<string, OutcomeStats> Outcomes,
    double? SellOutSeconds,
    long Errors,
    IReadOnlyCollection<string> ErrorSamples,
    InvariantReport? Invariants,
    IReadOnlyList<SecondPoint> Series,
    long ServerErrors,
    long Unavailable503,
    double? OpeningSeconds,
    double? AnsweredAfterOpeningSeconds)
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
            mode, scenario.Name, scenario.Citizens.Count, elapsed, shape.RatePerSecond, measurements.Sent / elapsed, requests, confirmed,
            confirmed / Math.Max(measurements.LastConfirmed.TotalSeconds, 0.001), requests / elapsed, confirmed / elapsed,
            measurements.Series.Count == 0
                ? 0
                : measurements.Series.Where(p => p.Seconds >= 0.5).Select(p => p.PerSecond(p.Confirmed)).DefaultIfEmpty(confirmed / elapsed).Max(),
            measurements.PurchaseStats(), outcomes, measurements.SellOutSeconds(), outcomes[Name(Outcome.Error)].Count,
            measurements.ErrorSamples, invariants, measurements.Series, measurements.ServerErrors, measurements.Unavailable,
            measurements.Opening?.TotalSeconds, elapsed - measurements.Opening?.TotalSeconds);
    }

    public static string Name(Outcome outcome) => outcome switch
    {
        Outcome.SoldOut => "sold-out",
        Outcome.LimitExceeded => "limit-exceeded",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
