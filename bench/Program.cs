using System.Globalization;
using Ledger.Bench;
using Ledger.Grains;
using Ledger.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A quick in-process measure of the hot path: one silo on PostgreSQL, one hot program-month, and many
// citizens buying once each, through their citizen grains and straight to the program-month grain, in
// the same invocation so the two can be compared as a ratio. Not a test; the benchmark issue builds the
// real tool.
var options = BenchOptions.Parse(args);
await LedgerSchema.ApplyAsync(options.ConnectionString);

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo
    .UseLocalhostClustering(siloPort: 11_211, gatewayPort: 30_211)
    .AddLedger(options.ConnectionString));
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

var results = new List<BenchResult>();
foreach (var direct in options.Direct is { } only ? [only] : new[] { false, true })
{
    var result = await BenchRun.RunAsync(grains, options, direct);
    results.Add(result);
    Console.WriteLine(result);
}

if (results.Count == 2)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ratio through citizen grains / direct: {results[0].ConfirmedPerSecond / results[1].ConfirmedPerSecond:F2}"));
}

await host.StopAsync();
return results.All(r => r.Consistent && r.Confirmed == options.Purchases) ? 0 : 1;
