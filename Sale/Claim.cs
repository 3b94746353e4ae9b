namespace Ledger.Sale;

/// <summary>A purchase as the sale judges it: who, with which key (scoped: <see cref="SaleKeys"/>), what.</summary>
/// <param name="SoldBy">The teller selling on the citizen's behalf; null when the citizen buys for themself.</param>
/// <param name="BirthYear">The citizen's birth year, for the policy's cohorts; null when unknown.</param>
public sealed record Claim(
    string CitizenId, string Key, Channel Channel, long Amount, string? SoldBy = null, int? BirthYear = null);
