using System.Diagnostics;
using System.Globalization;
using Ledger.Bench;
using Ledger.Grains;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A quick in-process measure of the hot path: one silo on PostgreSQL, one hot program-month, and many
// citizens buying once each through their citizen grains. Not a test; the real tool is the benchmark issue's.
var options = BenchOptions.Parse(args);
await LedgerSchema.ApplyAsync(options.ConnectionString);

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo.UseLocalhostClustering().AddLedger(options.ConnectionString));
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

var runId = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
var sale = new ProgramMonth($"bench-{runId}", ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
var policy = new Policy(
    DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, 200_000, 10_000,
    new ChannelAmounts(options.Purchases * 10_000L, 0));
var set = await grains.GetGrain<ICityMonthGrain>(sale.Key).SetPolicyAsync(policy);
if (set.Outcome != SetPolicyOutcome.Saved)
{
    throw new InvalidOperationException($"Setting the policy failed: {set.Outcome}");
}

var latencies = new long[options.Purchases];
var outcomes = new int[Enum.GetValues<PurchaseOutcome>().Length];
var next = -1;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
{
    for (var i = Interlocked.Increment(ref next); i < options.Purchases; i = Interlocked.Increment(ref next))
    {
        var citizen = $"b{runId}-{i}";
        var started = Stopwatch.GetTimestamp();
        var request = new PurchaseRequest(sale, citizen, "k", Channel.Mobile, 10_000);
        var result = options.Direct
            ? await grains.GetGrain<ICityMonthGrain>(sale.Key).PurchaseAsync(new PurchaseOrder(request, 0))
            : await grains.GetGrain<ICitizenGrain>(citizen).PurchaseAsync(request);
        latencies[i] = Stopwatch.GetTimestamp() - started;
        Interlocked.Increment(ref outcomes[(int)result.Outcome]);
    }
}));
clock.Stop();

var audit = await grains.GetGrain<ICityMonthGrain>(sale.Key).AuditAsync();
Array.Sort(latencies);
double Ms(double quantile) => latencies[(int)(quantile * (latencies.Length - 1))] * 1000.0 / Stopwatch.Frequency;
var confirmed = outcomes[(int)PurchaseOutcome.Confirmed];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"purchases {options.Purchases}, concurrency {options.Concurrency}, {(options.Direct ? "direct" : "through citizen grains")}, {clock.Elapsed.TotalSeconds:F2} s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"confirmed {confirmed} ({confirmed / clock.Elapsed.TotalSeconds:F0}/s), other {options.Purchases - confirmed}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"latency ms p50 {Ms(0.50):F1}, p95 {Ms(0.95):F1}, p99 {Ms(0.99):F1}, max {Ms(1):F1}"));
Console.WriteLine($"audit consistent: {audit?.Consistent}, sold {audit?.Mobile.SoldByLedger}");
await host.StopAsync();
return audit?.Consistent == true && confirmed == options.Purchases ? 0 : 1;
