namespace Ledger.Bench;

/// <summary>How many requests ended one way, and their latency.</summary>
public sealed record OutcomeStats(long Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs);
