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
    foreach (var result in await BenchRun.RunAsync(grains, options, direct))
    {
        results.Add(result);
        Console.WriteLine(result);
    }
}

if (options.Direct is null)
{
    // Round by round: the first half of the results is the citizen path, the second half the direct one.
    for (var round = 0; round < options.Rounds; round++)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio through citizen grains / direct, round {round + 1}: " +
            $"{results[round].ConfirmedPerSecond / results[options.Rounds + round].ConfirmedPerSecond:F2}"));
    }
}

await host.StopAsync();
return results.All(r => r.Consistent && r.Confirmed == r.Purchases) ? 0 : 1;
