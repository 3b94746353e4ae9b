using System.Diagnostics;
using System.Globalization;
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

    [Fact]
    public async Task A_short_payment_run_alternates_one_phase_and_two_phase_and_checks_every_payers_money()
    {
        const int Citizens = 300;
        using var report = await RunAsync(["--payment", "--citizens", Citizens.ToString(CultureInfo.InvariantCulture), "--rounds", "2"]);

        var root = report.RootElement;
        var rounds = root.GetProperty("rounds").EnumerateArray().ToArray();
        Assert.Equal(
            ["one-phase 0", "two-phase 0", "one-phase 1", "two-phase 1", "two-phase 2", "one-phase 2"],
            rounds.Select(r => $"{r.GetProperty("kind").GetString()} {r.GetProperty("pair").GetInt32()}"));
        Assert.Equal("single-hot", root.GetProperty("scenario").GetString());
        Assert.Equal([5, 50], root.GetProperty("latencyMs").EnumerateArray().Select(l => l.GetInt32()));
        Assert.Equal(2, root.GetProperty("pairShares").GetArrayLength());
        Assert.True(root.GetProperty("twoPhaseShare").GetDouble() > 0);
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.All(rounds.Where(r => r.GetProperty("pair").GetInt32() > 0), round =>
        {
            var run = round.GetProperty("run");
            // The cap fits every citizen's purchase, and a two-phase one counts only once its hold is posted.
            Assert.Equal(Citizens, run.GetProperty("confirmed").GetInt64());
            Assert.Equal(0, run.GetProperty("errors").GetInt64());
            Assert.Equal(Citizens, run.GetProperty("invariants").GetProperty("confirmedSeen").GetInt64());
            Assert.Empty(run.GetProperty("invariants").GetProperty("findings").EnumerateArray());
            Assert.True(round.GetProperty("silo").GetProperty("commits").GetInt64() > 0);
        });
        Assert.All(rounds.Where(r => r.GetProperty("kind").GetString() == "two-phase"), round =>
        {
            var money = round.GetProperty("payments");
            Assert.Equal(
                (round.GetProperty("run").GetProperty("confirmed").GetInt64(), 0L, 0L, 0L),
                (money.GetProperty("posted").GetInt64(), money.GetProperty("holdsOpen").GetInt64(),
                    money.GetProperty("refundsOwed").GetInt64(), money.GetProperty("payersOff").GetInt64()));
            Assert.Equal(round.GetProperty("run").GetProperty("citizens").GetInt64(), money.GetProperty("payersChecked").GetInt64());
            Assert.True(round.GetProperty("silo").GetProperty("providerRequests").GetInt64() >= money.GetProperty("holds").GetInt64());
        });
        Assert.All(rounds.Where(r => r.GetProperty("kind").GetString() == "one-phase"), round =>
        {
            Assert.Equal(JsonValueKind.Null, round.GetProperty("payments").ValueKind);
            Assert.Equal(0, round.GetProperty("silo").GetProperty("providerRequests").GetInt64());
        });
    }

    [Theory]
    [InlineData("--mode", "http")]
    [InlineData("--scenario", "paths")]
    public async Task The_payment_comparison_is_refused_where_it_does_not_apply_and_says_why(string option, string value)
    {
        var (exitCode, _, errors) = await ExitAsync(["--payment", option, value]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--payment is for --mode grains", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_flag_exits_2_with_the_reason_and_no_stack_trace()
    {
        var (exitCode, output, errors) = await ExitAsync(["--scenario", "nope"]);

        Assert.Equal((2, ""), (exitCode, output));
        Assert.StartsWith("bench: --scenario takes dec-2022, single-hot,", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_is_shown_instead_of_a_run()
    {
        var (exitCode, output, errors) = await ExitAsync(["--help"]);

        Assert.Equal((0, ""), (exitCode, errors));
        Assert.Contains("--scenario <dec-2022|single-hot|nationwide|paths|storm|ticket-check|flood>", output, StringComparison.Ordinal);
    }

    /// <summary>Runs the benchmark on the test database; it must exit 0. Returns its JSON report.</summary>
    private static async Task<JsonDocument> RunAsync(string[] arguments)
    {
        var json = Path.Combine(Path.GetTempPath(), $"bench-smoke-{Guid.NewGuid():N}.json");
        var (exitCode, output, errors) = await ExitAsync([.. arguments, "--json", json]);
        Assert.True(exitCode == 0, $"The benchmark failed ({exitCode}):\n{output}\n{errors}");
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        File.Delete(json);
        return report;
    }

    /// <summary>Runs the benchmark on the test database until it exits; returns its exit code and what it wrote.</summary>
    private static async Task<(int ExitCode, string Output, string Errors)> ExitAsync(string[] arguments)
    {
        var benchPath = typeof(BenchSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BenchPath").Value!;
        var start = new ProcessStartInfo("dotnet", [benchPath, .. arguments, "--connection", TestPostgres.ConnectionString])
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

        return (bench.ExitCode, await output, await errors);
    }
}
