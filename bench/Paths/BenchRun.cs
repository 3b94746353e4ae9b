using System.Diagnostics;
using System.Globalization;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// One path's run on a fresh program-month whose cap fits every purchase: each citizen buys once per round,
/// with a new key each round, so the first round meets cold grains and later ones warm grains. After each
/// round the path's own check (the audit, or the baseline's counters against its entries) must hold.
/// </summary>
public static class BenchRun
{
    public const long Amount = 10_000;

    /// <param name="buy">Buys once; true when confirmed. Gets the request and the citizen's usage before it.</param>
    /// <param name="consistent">Whether the path's records agree and hold what was confirmed so far.</param>
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        string path, BenchOptions options, Func<ProgramMonth, Policy, Task> setUp,
        Func<PurchaseRequest, long, Task<bool>> buy, Func<ProgramMonth, long, Task<bool>> consistent)
    {
        var runId = Guid.NewGuid().ToString("N")[..12];
        var sale = new ProgramMonth($"bench-{runId}", ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
        var policy = new Policy(
            DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, options.Rounds * Amount, Amount,
            new ChannelAmounts(options.Rounds * options.Purchases * Amount, 0));
        await setUp(sale, policy);

        var results = new List<BenchResult>();
        var confirmedSoFar = 0L;
        for (var round = 1; round <= options.Rounds; round++)
        {
            var (confirmed, elapsed, latencies) = await RoundAsync(options, sale, runId, round, buy);
            confirmedSoFar += confirmed;
            Array.Sort(latencies);
            double Ms(double quantile) => latencies[(int)(quantile * (latencies.Length - 1))] * 1000.0 / Stopwatch.Frequency;
            results.Add(new BenchResult(
                options.Rounds == 1 ? path : $"{path}, round {round}",
                options.Purchases, confirmed, elapsed, Ms(0.50), Ms(0.95), Ms(0.99), Ms(1),
                await consistent(sale, confirmedSoFar * Amount)));
        }

        return results;
    }

    private static async Task<(int Confirmed, TimeSpan Elapsed, long[] Latencies)> RoundAsync(
        BenchOptions options, ProgramMonth sale, string runId, int round, Func<PurchaseRequest, long, Task<bool>> buy)
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
                var started = Stopwatch.GetTimestamp();
                var bought = await buy(new PurchaseRequest(sale, citizen, key, Channel.Mobile, Amount), (round - 1) * Amount);
                latencies[i] = Stopwatch.GetTimestamp() - started;
                if (bought)
                {
                    Interlocked.Increment(ref confirmed);
                }
            }
        }));
        return (confirmed, clock.Elapsed, latencies);
    }
}
