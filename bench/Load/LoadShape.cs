namespace Ledger.Bench;

/// <summary>
/// How citizens arrive. Closed loop (no <paramref name="RatePerSecond"/>): at most
/// <paramref name="Concurrency"/> citizens in flight, each arriving at once or spread over
/// <paramref name="RampSeconds"/>. Open loop: citizens arrive so that <paramref name="RatePerSecond"/>
/// requests a second are offered, whatever the answers, as phones do at 09:00.
/// </summary>
public sealed record LoadShape(int Concurrency, double RampSeconds, double? RatePerSecond);
