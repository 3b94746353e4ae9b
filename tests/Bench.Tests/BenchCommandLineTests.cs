using System.Globalization;
using System.Text.RegularExpressions;
using Ledger.Testing;

namespace Ledger.Bench.Tests;

/// <summary>The bench's command line, read in process: what it accepts, what it refuses and how it says so.</summary>
public sealed partial class BenchCommandLineTests
{
    /// <summary>Every flag the bench has taken, written out here so that one dropped from the command line is noticed.</summary>
    public static readonly TheoryData<string> Flags = new(
        "--scenario", "--mode", "--citizens", "--ramp", "--rate", "--concurrency", "--connections", "--supply", "--url", "--no-baseline",
        "--baseline-concurrency", "--json", "--chart", "--connection", "--purchases", "--rounds", "--only", "--pre-queue", "--replay",
        "--round-seconds", "--payment", "--buyer-rate", "--control", "--help");

    [Fact]
    public void The_defaults_are_a_december_2022_run_in_grains_mode_with_its_baseline()
    {
        var options = Parsed([]);

        Assert.Equal(("dec-2022", "grains", 300_000, 0.0, null), (options.Scenario, options.Mode, options.Citizens, options.RampSeconds, options.Rate));
        Assert.Equal((2_000, 256, true, 64, 100_000, 1), (options.Concurrency, options.Connections, options.Baseline, options.BaselineConcurrency,
            options.Purchases, options.Rounds));
        Assert.Equal((null, null, null, false, false), (options.JsonFile, options.ChartPath, options.PreQueueMinutes, options.Payment, options.Control));
    }

    [Fact]
    public void Each_scenario_keeps_its_own_defaults()
    {
        var storm = Parsed(["--scenario", "storm"]);
        var tickets = Parsed(["--scenario", "ticket-check"]);
        var flood = Parsed(["--scenario", "flood"]);
        var payment = Parsed(["--payment"]);
        var http = Parsed(["--mode", "http", "--connections", "512"]);

        Assert.Equal((StormRun.CitizensDefault, StormRun.RampSecondsDefault, StormRun.SupplyDefault), (storm.Citizens, storm.RampSeconds, storm.Supply));
        Assert.Equal((TicketCheckRun.TicketsDefault, TicketCheckRun.RoundPairsDefault, TicketCheckRun.ReplayDefault, TicketCheckRun.RoundSecondsDefault),
            (tickets.Citizens, tickets.Rounds, tickets.Replay, tickets.RoundSeconds));
        Assert.Equal((FloodRun.RoundSecondsDefault, FloodRun.BuyerPerSecondDefault, null), (flood.RoundSeconds, flood.BuyerRate, flood.Rate));
        Assert.Equal(("single-hot", PaymentComparison.CitizensDefault, PaymentComparison.RoundPairsDefault, true),
            (payment.Scenario, payment.Citizens, payment.Rounds, payment.Payment));
        Assert.Equal((512, 512), (http.Connections, http.Concurrency));
    }

    [Fact]
    public void Every_flag_given_is_read_into_the_options()
    {
        var options = Parsed([
            "--scenario", "single-hot", "--mode", "baseline", "--citizens", "1000", "--ramp", "2.5", "--rate", "300", "--concurrency", "7",
            "--connections", "9", "--supply", "0.25", "--url", "http://127.0.0.1:5082", "--no-baseline", "--baseline-concurrency", "8",
            "--json", "r.json", "--chart", "r.svg", "--connection", "Host=h", "--purchases", "5", "--rounds", "4", "--only", "append",
            "--replay", "6", "--round-seconds", "1.5", "--buyer-rate", "20", "--control",
        ]);

        Assert.Equal(
            new BenchOptions("single-hot", "baseline", 1000, 2.5, 300, 7, 9, 0.25, "http://127.0.0.1:5082", false, 8, "r.json", "r.svg", "Host=h",
                5, 4, "append", null, 6, 1.5, false, 20, true),
            options);
        Assert.Equal(10, Parsed(["--scenario", "dec-2022", "--mode", "http", "--pre-queue", "10"]).PreQueueMinutes);
        Assert.Null(Parsed(["--rate", "0"]).Rate);
    }

    [Fact]
    public void An_unknown_scenario_is_refused_naming_the_flag_and_every_choice()
    {
        var (exitCode, output, errors) = Refused(["--scenario", "nope"]);

        Assert.Equal((2, ""), (exitCode, output));
        Assert.Contains("--scenario takes dec-2022, single-hot, nationwide, paths, storm, ticket-check, flood, not nope.", errors, StringComparison.Ordinal);
        Assert.Contains("--help", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--mode", "fast", "--mode takes grains, http, baseline, not fast.")]
    [InlineData("--only", "all", "--only takes citizen, direct, baseline, append, activation, not all.")]
    [InlineData("--citizens", "-5", "--citizens takes a whole number of at least 1, not -5.")]
    [InlineData("--citizens", "1e3", "--citizens takes a whole number of at least 1, not 1e3.")]
    [InlineData("--connections", "0", "--connections takes a whole number of at least 1, not 0.")]
    [InlineData("--rounds", "two", "--rounds takes a whole number of at least 1, not two.")]
    [InlineData("--rate", "fast", "--rate takes a number of at least 0, not fast.")]
    [InlineData("--ramp", "-1", "--ramp takes a number of at least 0, not -1.")]
    [InlineData("--supply", "NaN", "--supply takes a number of at least 0, not NaN.")]
    public void A_bad_value_is_refused_naming_the_flag(string flag, string value, string message)
    {
        var (exitCode, _, errors) = Refused([flag, value]);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--citizens 10 --bogus", "Unrecognized command or argument '--bogus'")]
    [InlineData("--json", "'--json'")]
    [InlineData("--payment --mode http", "--payment is for --mode grains")]
    [InlineData("--payment --scenario paths", "--payment is for --mode grains")]
    [InlineData("--mode http --pre-queue 5 --rate 100", "--pre-queue is for --scenario dec-2022 --mode http")]
    [InlineData("--scenario storm --mode http --pre-queue 5", "--pre-queue is for --scenario dec-2022 --mode http")]
    public void A_command_line_that_does_not_hold_together_is_refused_with_the_reason(string arguments, string reason)
    {
        var (exitCode, _, errors) = Refused(arguments.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Contains(reason, errors, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void Help_lists_every_flag(string flag)
    {
        var help = BenchCommandLine.Help();

        Assert.Matches($@"(^|\s|, ){Regex.Escape(flag)}( <|\s)", help);
    }

    [Fact]
    public void Help_is_written_instead_of_a_run_and_exits_0()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var errors = new StringWriter(CultureInfo.InvariantCulture);

        var options = BenchCommandLine.Parse(["--scenario", "storm", "--help"], output, errors, out var exitCode);

        Assert.Equal((null, 0, ""), (options, exitCode, errors.ToString()));
        Assert.Contains("--scenario <dec-2022|single-hot|nationwide|paths|storm|ticket-check|flood>", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bench_command_line_in_the_benchmarks_doc_still_parses()
    {
        var lines = DocumentedCommandLines().ToList();

        Assert.True(lines.Count >= 30, $"Only {lines.Count} command lines found in docs/BENCHMARKS.md.");
        Assert.All(lines, line =>
        {
            using var errors = new StringWriter(CultureInfo.InvariantCulture);
            var options = BenchCommandLine.Parse(Arguments(line), TextWriter.Null, errors, out var exitCode);
            Assert.True(options is not null, $"{line}\n{errors}");
        });
    }

    /// <summary>
    /// The bench's command lines in docs/BENCHMARKS.md's sh blocks: what follows <c>./ledger bench</c> or <c>Bench.dll</c>, without
    /// the comment, each <c>{a|b}</c> of a line written out as its every choice.
    /// </summary>
    private static IEnumerable<string> DocumentedCommandLines()
    {
        var root = RepositoryRoot.OfTests ?? throw new InvalidOperationException("The tests do not run inside a clone.");
        var inSh = false;
        foreach (var line in File.ReadLines(Path.Combine(root, "docs", "BENCHMARKS.md")))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inSh = line == "```sh";
                continue;
            }

            if (inSh && BenchInvocation().Match(line) is { Success: true } bench)
            {
                foreach (var expanded in Expand(bench.Groups["args"].Value.Split('#')[0].Trim()))
                {
                    yield return expanded;
                }
            }
        }
    }

    private static IEnumerable<string> Expand(string line) => Alternatives().Match(line) is { Success: true } choice
        ? choice.Groups["choices"].Value.Split('|').SelectMany(c => Expand(line[..choice.Index] + c + line[(choice.Index + choice.Length)..]))
        : [line];

    private static string[] Arguments(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static BenchOptions Parsed(string[] arguments)
    {
        using var errors = new StringWriter(CultureInfo.InvariantCulture);
        var options = BenchCommandLine.Parse(arguments, TextWriter.Null, errors, out var exitCode);
        Assert.True(options is not null && exitCode == 0, $"Refused ({exitCode}): {errors}");
        return options;
    }

    private static (int ExitCode, string Output, string Errors) Refused(string[] arguments)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var errors = new StringWriter(CultureInfo.InvariantCulture);
        var options = BenchCommandLine.Parse(arguments, output, errors, out var exitCode);
        Assert.Null(options);
        return (exitCode, output.ToString(), errors.ToString());
    }

    [GeneratedRegex(@"(\./ledger bench|Bench\.dll)(?<args>( .*)?)$")]
    private static partial Regex BenchInvocation();

    [GeneratedRegex(@"\{(?<choices>[^{}]*\|[^{}]*)\}")]
    private static partial Regex Alternatives();
}
