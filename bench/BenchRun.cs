using System.Diagnostics;
using System.Globalization;
using Ledger.Grains.Interfaces;

namespace Ledger.Bench;

/// <summary>One run: a fresh program-month whose cap fits every purchase, bought once by each citizen.</summary>
public static class BenchRun
{
    public const long Amount = 10_000;

    public static async Task<BenchResult> RunAsync(IGrainFactory grains, BenchOptions options, bool direct)
    {
        var runId = Guid.NewGuid().ToString("N")[..12];
        var sale = new ProgramMonth($"bench-{runId}", ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
        var policy = new Policy(
            DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, 200_000, Amount,
            new ChannelAmounts(options.Purchases * Amount, 0));
        var set = await grains.GetGrain<ICityMonthGrain>(sale.Key).SetPolicyAsync(policy);
        if (set.Outcome != SetPolicyOutcome.Saved)
        {
            throw new InvalidOperationException($"Setting the policy failed: {set.Outcome}");
        }

        var latencies = new long[options.Purchases];
        var confirmed = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < options.Purchases; i = Interlocked.Increment(ref next))
            {
                var citizen = string.Create(CultureInfo.InvariantCulture, $"b{runId}-{i}");
                var request = new PurchaseRequest(sale, citizen, "k", Channel.Mobile, Amount);
                var started = Stopwatch.GetTimestamp();
                var result = direct
                    ? await grains.GetGrain<ICityMonthGrain>(sale.Key).PurchaseAsync(new PurchaseOrder(request, 0))
                    : await grains.GetGrain<ICitizenGrain>(citizen).PurchaseAsync(request);
                latencies[i] = Stopwatch.GetTimestamp() - started;
                if (result.IsConfirmed)
                {
                    Interlocked.Increment(ref confirmed);
                }
            }
        }));
        clock.Stop();

        var audit = await grains.GetGrain<ICityMonthGrain>(sale.Key).AuditAsync();
        Array.Sort(latencies);
        double Ms(double quantile) => latencies[(int)(quantile * (latencies.Length - 1))] * 1000.0 / Stopwatch.Frequency;
        return new BenchResult(
            direct ? "direct to the program-month grain" : "through citizen grains",
            options.Purchases, confirmed, clock.Elapsed, Ms(0.50), Ms(0.95), Ms(0.99), Ms(1),
            audit?.Consistent == true && audit.Mobile.SoldByLedger == confirmed * Amount);
    }
}
