using System.Diagnostics;
using System.Globalization;
using Ledger.Grains.Interfaces;

namespace Ledger.Bench;

/// <summary>
/// One run on a fresh program-month whose cap fits every purchase: each citizen buys once per round, with
/// a new key each round, so the first round activates every grain and the later ones find them warm.
/// </summary>
public static class BenchRun
{
    public const long Amount = 10_000;

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(IGrainFactory grains, BenchOptions options, bool direct)
    {
        var runId = Guid.NewGuid().ToString("N")[..12];
        var sale = new ProgramMonth($"bench-{runId}", ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
        var policy = new Policy(
            DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, options.Rounds * Amount, Amount,
            new ChannelAmounts(options.Rounds * options.Purchases * Amount, 0));
        var set = await grains.GetGrain<ICityMonthGrain>(sale.Key).SetPolicyAsync(policy);
        if (set.Outcome != SetPolicyOutcome.Saved)
        {
            throw new InvalidOperationException($"Setting the policy failed: {set.Outcome}");
        }

        var path = direct ? "direct to the program-month grain" : "through citizen grains";
        var results = new List<BenchResult>();
        var confirmedSoFar = 0L;
        for (var round = 1; round <= options.Rounds; round++)
        {
            var (confirmed, elapsed, latencies) = await RoundAsync(grains, options, direct, sale, runId, round);
            confirmedSoFar += confirmed;
            var audit = await grains.GetGrain<ICityMonthGrain>(sale.Key).AuditAsync();
            Array.Sort(latencies);
            double Ms(double quantile) => latencies[(int)(quantile * (latencies.Length - 1))] * 1000.0 / Stopwatch.Frequency;
            results.Add(new BenchResult(
                options.Rounds == 1 ? path : $"{path}, round {round}",
                options.Purchases, confirmed, elapsed, Ms(0.50), Ms(0.95), Ms(0.99), Ms(1),
                audit?.Consistent == true && audit.Mobile.SoldByLedger == confirmedSoFar * Amount));
        }

        return results;
    }

    private static async Task<(int Confirmed, TimeSpan Elapsed, long[] Latencies)> RoundAsync(
        IGrainFactory grains, BenchOptions options, bool direct, ProgramMonth sale, string runId, int round)
    {
        var latencies = new long[options.Purchases];
        var confirmed = 0;
        var next = -1;
        var key = round.ToString(CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < options.Purchases; i = Interlocked.Increment(ref next))
            {
                var citizen = string.Create(CultureInfo.InvariantCulture, $"b{runId}-{i}");
                var request = new PurchaseRequest(sale, citizen, key, Channel.Mobile, Amount);
                var started = Stopwatch.GetTimestamp();
                var result = direct
                    ? await grains.GetGrain<ICityMonthGrain>(sale.Key).PurchaseAsync(new PurchaseOrder(request, (round - 1) * Amount))
                    : await grains.GetGrain<ICitizenGrain>(citizen).PurchaseAsync(request);
                latencies[i] = Stopwatch.GetTimestamp() - started;
                if (result.IsConfirmed)
                {
                    Interlocked.Increment(ref confirmed);
                }
            }
        }));
        return (confirmed, clock.Elapsed, latencies);
    }
}
