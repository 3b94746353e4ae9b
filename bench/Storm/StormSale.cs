using System.Globalization;
using System.Text;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// The storm's one program-month, on a fresh program id per run, open since a minute ago: mobile only, each
/// buyer buying <see cref="Amount"/> once (the monthly limit), the cap <c>supply</c> of the buyers' demand in
/// whole purchases, so that it sells out exactly. One more citizen buys after the storm. Before the storm,
/// <see cref="PeakSale"/>, the same policy on a program of its own, is bought out by a closed loop (its peak).
/// </summary>
public sealed record StormSale(string RunId, Sale Sale, int Buyers, int CapPurchases, Sale PeakSale)
{
    public const long Amount = Scenario.Limit;

    public long CapWon => CapPurchases * Amount;

    public string PurchasesPath => StatePath + "/purchases";

    public string StatePath => $"/programs/{Sale.ProgramMonth.ProgramId}/months/{Sale.ProgramMonth.Month}";

    public string AfterStormCitizen => $"s{RunId}-after";

    public byte[] Body { get; } = Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $$"""{"channel":"mobile","amount":{{Amount}}}"""));

    public static StormSale Create(int buyers, double supply)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var cap = (int)Math.Min(int.MaxValue, Math.Floor(buyers * supply));
        var policy = new Policy(DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, Amount, Scenario.Unit, new ChannelAmounts(cap * Amount, 0));
        var month = ProgramMonth.MonthOf(DateTimeOffset.UtcNow);
        return new StormSale(
            runId, new Sale(new ProgramMonth($"storm-{runId}", month), policy), buyers, cap,
            new Sale(new ProgramMonth($"storm-{runId}-peak", month), policy));
    }

    public string CitizenOf(int buyer) => string.Create(CultureInfo.InvariantCulture, $"s{RunId}-{buyer}");

    /// <summary>A buyer's key, the same on every attempt.</summary>
    public string KeyOf(int buyer) => string.Create(CultureInfo.InvariantCulture, $"storm-{buyer}");

    /// <summary>The closed-loop peak's buyers: as many as the cap holds, each buying once, so that every purchase is confirmed.</summary>
    public Scenario PeakScenario() => Scenario.Buyers(
        "storm closed-loop peak", RunId, PeakSale,
        Enumerable.Range(0, CapPurchases).Select(i => string.Create(CultureInfo.InvariantCulture, $"p{RunId}-{i}")), Amount);

    /// <summary>The sale as a scenario of no citizens, for the policy's PUT and the invariants' check.</summary>
    public Scenario AsScenario() => new("storm", RunId, [Sale], []);
}
