using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Ledger.Testing;

namespace Ledger.Bench.Tests;

/// <summary>Seconds-long runs of the real benchmark, so the tool keeps working; they measure nothing.</summary>
[Trait("Category", TestCategories.Bench)]
public sealed class BenchSmokeTests
{
    private static readonly TimeSpan RunTimeoutMax = TimeSpan.FromMinutes(2);

    private static readonly string[] HeadlineFields =
    [
        "mode", "scenario", "confirmedPerSecond", "requestsPerSecond", "p99Ms", "baselinePerSecond", "ratioToBaseline",
        "sellOutSeconds", "errors", "oversold", "auditConsistent",
    ];

    [Fact]
    public async Task The_paths_comparison_runs_every_path_and_finds_each_consistent()
    {
        using var report = await RunAsync(["--scenario", "paths", "--purchases", "200", "--concurrency", "20", "--rounds", "2"]);

        var results = report.RootElement.GetProperty("results");
        Assert.Equal(["activation", "append", "baseline", "citizen", "direct"], results.EnumerateObject().Select(p => p.Name).Order());
        Assert.All(results.EnumerateObject().SelectMany(p => p.Value.EnumerateArray()), round =>
        {
            Assert.Equal(200, round.GetProperty("confirmed").GetInt32());
            Assert.True(round.GetProperty("consistent").GetBoolean());
        });
        Assert.True(report.RootElement.GetProperty("ratios").TryGetProperty("citizen/baseline round 2", out _));
        Assert.True(report.RootElement.GetProperty("ratios").TryGetProperty("direct/append round 2", out _));
    }

    [Fact]
    public async Task A_small_december_2022_open_run_in_grains_mode_sells_out_and_keeps_every_invariant_with_its_baseline()
    {
        var chart = Path.Combine(Path.GetTempPath(), $"bench-smoke-{Guid.NewGuid():N}.png");
        using var report = await RunAsync(["--scenario", "dec-2022", "--mode", "grains", "--citizens", "600", "--rate", "3000", "--chart", chart]);

        var root = report.RootElement;
        Assert.All(HeadlineFields, field => Assert.True(root.TryGetProperty(field, out _), $"No {field} in the report."));
        Assert.Equal(
            ("grains", "dec-2022", 0L),
            (root.GetProperty("mode").GetString(), root.GetProperty("scenario").GetString(), root.GetProperty("errors").GetInt64()));
        Assert.False(root.GetProperty("oversold").GetBoolean());
        Assert.True(root.GetProperty("auditConsistent").GetBoolean());
        Assert.True(root.GetProperty("invariantsHold").GetBoolean());
        // 600 citizens at the scaled December caps: demand is about 4x supply, so every channel sells out.
        Assert.True(root.GetProperty("sellOutSeconds").GetDouble() > 0);
        Assert.True(root.GetProperty("ratioToBaseline").GetDouble() > 0);
        foreach (var run in new[] { root.GetProperty("run"), root.GetProperty("baseline") })
        {
            var invariants = run.GetProperty("invariants");
            Assert.Equal(run.GetProperty("confirmed").GetInt64(), invariants.GetProperty("confirmedSeen").GetInt64());
            Assert.True(run.GetProperty("outcomes").GetProperty("sold-out").GetProperty("count").GetInt64() > 0);
            Assert.True(run.GetProperty("outcomes").GetProperty("limit-exceeded").GetProperty("count").GetInt64() > 0);
            Assert.True(run.GetProperty("outcomes").GetProperty("duplicate").GetProperty("count").GetInt64() > 0);
        }

        Assert.True(new FileInfo(chart).Length > 0);
        File.Delete(chart);
    }

    [Fact]
    public async Task A_small_nationwide_run_of_the_baseline_alone_keeps_every_invariant()
    {
        using var report = await RunAsync(["--scenario", "nationwide", "--mode", "baseline", "--citizens", "800", "--baseline-concurrency", "16"]);

        var root = report.RootElement;
        Assert.Equal(
            ("baseline", "nationwide", 0L),
            (root.GetProperty("mode").GetString(), root.GetProperty("scenario").GetString(), root.GetProperty("errors").GetInt64()));
        Assert.True(root.GetProperty("invariantsHold").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ratioToBaseline").ValueKind);
        // Each of the 200 programs has 4 citizens and a cap for 2 of them: every one sells out.
        Assert.True(root.GetProperty("sellOutSeconds").GetDouble() > 0);
        Assert.InRange(root.GetProperty("run").GetProperty("invariants").GetProperty("soldByLedger").GetInt64(), 1, 200 * 2 * 200_000L);
    }

    /// <summary>Runs the benchmark on the test database; it must exit 0. Returns its JSON report.</summary>
    private static async Task<JsonDocument> RunAsync(string[] arguments)
    {
        var connection = TestPostgres.ConnectionString;
        var benchPath = typeof(BenchSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BenchPath").Value!;
        var json = Path.Combine(Path.GetTempPath(), $"bench-smoke-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet", [benchPath, .. arguments, "--connection", connection, "--json", json])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var bench = Process.Start(start)!;
        var output = bench.StandardOutput.ReadToEndAsync();
        var errors = bench.StandardError.ReadToEndAsync();
        try
        {
            await bench.WaitForExitAsync().WaitAsync(RunTimeoutMax);
        }
        catch (TimeoutException)
        {
            // A hung run must not go on loading the machine under the rest of the suite.
            bench.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(bench.ExitCode == 0, $"The benchmark failed ({bench.ExitCode}):\n{await output}\n{await errors}");
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        File.Delete(json);
        return report;
    }
}
