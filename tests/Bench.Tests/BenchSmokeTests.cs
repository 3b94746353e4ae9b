using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Ledger.Bench.Tests;

/// <summary>A seconds-long run of the real benchmark, so the tool keeps working; it measures nothing.</summary>
public sealed class BenchSmokeTests
{
    private static readonly TimeSpan RunTimeoutMax = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_benchmark_runs_every_path_and_finds_each_consistent()
    {
        var connection = Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
            ?? throw new InvalidOperationException("LEDGER_TEST_CONNECTION is not set: run the tests with ./ledger test.");
        var benchPath = typeof(BenchSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BenchPath").Value!;
        var json = Path.Combine(Path.GetTempPath(), $"bench-smoke-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet",
            [benchPath, "--purchases", "200", "--concurrency", "20", "--rounds", "2", "--connection", connection, "--json", json])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var bench = Process.Start(start)!;
        var output = bench.StandardOutput.ReadToEndAsync();
        var errors = bench.StandardError.ReadToEndAsync();
        await bench.WaitForExitAsync().WaitAsync(RunTimeoutMax);

        Assert.True(bench.ExitCode == 0, $"The benchmark failed ({bench.ExitCode}):\n{await output}\n{await errors}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        File.Delete(json);
        var results = report.RootElement.GetProperty("results");
        Assert.Equal(["baseline", "citizen", "direct"], results.EnumerateObject().Select(p => p.Name).Order());
        Assert.All(results.EnumerateObject().SelectMany(p => p.Value.EnumerateArray()), round =>
        {
            Assert.Equal(200, round.GetProperty("confirmed").GetInt32());
            Assert.True(round.GetProperty("consistent").GetBoolean());
        });
        Assert.True(report.RootElement.GetProperty("ratios").TryGetProperty("citizen/baseline round 2", out _));
    }
}
