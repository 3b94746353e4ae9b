using Ledger.Testing;

namespace Ledger.Cli.Tests;

/// <summary>The generated help: every command and every setting, with its default.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class CliHelpTests
{
    private static readonly string[] Commands = ["up", "down", "status", "scale", "test", "bench", "chaos", "psql", "token", "help"];

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("up", "--help")]
    public async Task Help_lists_every_setting_with_its_default(params string[] args)
    {
        var result = await CliProcess.RunAsync(new Dictionary<string, string>(), args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(LedgerSettings.Catalog, setting => Assert.Contains($"{setting.Name} ", result.Output, StringComparison.Ordinal));
        Assert.All(LedgerSettings.Catalog, setting => Assert.Contains($"[{setting.Default}]", result.Output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_lists_every_command_and_each_commands_options()
    {
        var root = await CliProcess.RunAsync(new Dictionary<string, string>(), "help");
        var up = await CliProcess.RunAsync(new Dictionary<string, string>(), "help", "up");
        var chaos = await CliProcess.RunAsync(new Dictionary<string, string>(), "chaos", "--help");

        Assert.All(Commands, command => Assert.Matches($@"(?m)^  {command}\b", root.Output));
        Assert.Contains("--silos <N>", up.Output, StringComparison.Ordinal);
        Assert.All(["--fault", "--rate", "--before", "--cap", "--after", "--hold", "--hold-seconds", "--json"],
            option => Assert.Contains(option, chaos.Output, StringComparison.Ordinal));
    }

    [Fact]
    public void The_settings_are_those_the_script_read_and_each_is_listed_once()
    {
        string[] script =
        [
            "LEDGER_PG_PORT", "LEDGER_PG_PASSWORD", "LEDGER_GATEWAY_PORT", "LEDGER_PAYMENTS_PORT", "LEDGER_READY_TIMEOUT", "LEDGER_STOP_TIMEOUT",
            "LEDGER_SILO_PORT_BASE", "LEDGER_SILO_GATEWAY_PORT_BASE", "LEDGER_METRICS_PORT_BASE", "LEDGER_BENCH_NOOP", "LEDGER_PG_BIN",
            "LEDGER_PG_OS_USER", "LEDGER_SILO_CMD", "LEDGER_TEST_CMD", "Ledger__Silo__ClusterId", "Ledger__Silo__ServiceId",
            "Ledger__Auth__SigningKey", "Ledger__Dashboard__OperatorPassword", "Ledger__Payments__BaseUrl",
        ];
        var names = LedgerSettings.Catalog.Select(s => s.Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Empty(script.Except(names));
    }
}
