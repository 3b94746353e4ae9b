namespace Ledger.Bench;

/// <summary>
/// What the silos' <c>/metrics</c> showed after the flood, for a sale opened after it and bought from once:
/// whether its <c>ledger_purchases_total</c> series appeared on some silo, how many series of that metric the
/// silos served in all, and whether any of them was OpenTelemetry's overflow series (a metric past its bound).
/// </summary>
public sealed record FloodSeries(string ProgramMonth, bool Found, int PurchaseSeries, bool Overflow, IReadOnlyList<string> Urls);
