using System.Globalization;
using System.Text.Json;
using Ledger.Grains.Interfaces;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The hot path measured in one invocation on the same database, so they compare as ratios: through the
/// citizen grains (the real path), straight to the program-month grain (the group commit alone), and the
/// conventional baseline; with two floors under them: PostgreSQL appending the same rows in batches (no
/// checks), and Orleans activating one grain per citizen that does nothing. One hot program-month, each
/// citizen buying once per round
/// (<c>--scenario paths --purchases N --concurrency N --rounds N --only citizen|direct|baseline|append|activation</c>).
/// </summary>
public static class PathsComparison
{
    public static async Task<int> RunAsync(BenchOptions options, string[] args)
    {
        await using var silo = await SiloHost.StartAsync(options.ConnectionString);
        var grains = silo.Grains;
        await using var baselineData = NpgsqlDataSource.Create(options.ConnectionString);
        var baseline = new BaselineStore(baselineData);

        async Task SetPolicyAsync(ProgramMonth sale, Policy policy)
        {
            var set = await grains.GetCityMonth(sale).SetPolicyAsync(policy);
            if (set.Outcome != SetPolicyOutcome.Saved)
            {
                throw new InvalidOperationException($"Setting the policy failed: {set.Outcome}");
            }
        }

        async Task<bool> AuditedAsync(ProgramMonth sale, long sold)
        {
            var audit = await grains.GetCityMonth(sale).AuditAsync();
            return audit?.Consistent == true && audit.Mobile.SoldByLedger == sold;
        }

        var paths = new Dictionary<string, Func<BenchOptions, Task<IReadOnlyList<BenchResult>>>>
        {
            ["citizen"] = options => BenchRun.RunAsync("through citizen grains", options, SetPolicyAsync,
                async (request, _) => (await grains.GetCitizen(request.CitizenId).PurchaseAsync(request)).IsConfirmed,
                AuditedAsync),
            ["direct"] = options => BenchRun.RunAsync("direct to the program-month grain", options, SetPolicyAsync,
                async (request, used) => (await grains.GetCityMonth(request.ProgramMonth)
                    .PurchaseAsync(new PurchaseOrder(request, used))).IsConfirmed,
                AuditedAsync),
            ["activation"] = options => BenchRun.RunAsync("floor: Orleans activates and calls a grain that does nothing", options,
                (_, _) => Task.CompletedTask,
                (request, _) => grains.GetGrain<IActivationProbeGrain>(request.CitizenId).TouchAsync(),
                (_, _) => Task.FromResult(true)),
            ["append"] = options => AppendFloor.RunAsync(options, baselineData, options.Concurrency),
            ["baseline"] = options => BenchRun.RunAsync("baseline: a transaction per purchase", options,
                (sale, policy) => baseline.SetUpAsync([new Sale(sale, policy)]),
                async (request, _) => (await baseline.BuyAsync(request)).Outcome == "confirmed",
                async (sale, sold) => (await baseline.SoldAsync(sale)) == (sold, sold)),
        };

        // A short unmeasured pass of each grain path first, so no path pays for the process's JIT and warm-up.
        var warmUp = options with { Purchases = Math.Min(options.Purchases, 2_000), Rounds = 1 };
        foreach (var name in new[] { "citizen", "direct", "activation" }.Where(n => options.Only is null || options.Only == n))
        {
            await paths[name](warmUp);
        }

        var results = new Dictionary<string, IReadOnlyList<BenchResult>>();
        foreach (var (name, run) in paths.Where(p => options.Only is null || options.Only == p.Key))
        {
            results[name] = await run(options);
            foreach (var result in results[name])
            {
                Console.WriteLine(result);
            }
        }

        var ratios = Ratios(options, results);
        if (options.JsonFile is { } jsonFile)
        {
            await File.WriteAllTextAsync(jsonFile, JsonSerializer.Serialize(
                new { arguments = args, at = DateTimeOffset.UtcNow, results, ratios },
                new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        }

        return results.Values.SelectMany(r => r).All(r => r.Consistent && r.Confirmed == r.Purchases) ? 0 : 1;
    }

    private static Dictionary<string, double> Ratios(BenchOptions options, Dictionary<string, IReadOnlyList<BenchResult>> results)
    {
        var ratios = new Dictionary<string, double>();
        foreach (var (over, under) in new[]
                 {
                     ("citizen", "baseline"), ("direct", "baseline"), ("citizen", "direct"),
                     ("direct", "append"), ("citizen", "activation"),
                 })
        {
            if (results.TryGetValue(over, out var top) && results.TryGetValue(under, out var bottom))
            {
                for (var round = 0; round < options.Rounds; round++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"{over}/{under} round {round + 1}");
                    ratios[name] = top[round].ConfirmedPerSecond / bottom[round].ConfirmedPerSecond;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {name}: {ratios[name]:F2}"));
                }
            }
        }

        return ratios;
    }
}
