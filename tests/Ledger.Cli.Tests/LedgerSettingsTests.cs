using Ledger.Cli.Commands;

namespace Ledger.Cli.Tests;

/// <summary>The settings as read from an environment, without a process: defaults, refusals, and --fast's filter.</summary>
public sealed class LedgerSettingsTests
{
    [Fact]
    public void Unset_or_empty_settings_take_the_scripts_defaults()
    {
        var settings = LedgerSettings.Read(name => name == "LEDGER_GATEWAY_PORT" ? "" : null);

        Assert.Equal((54329, 5080, 5090), (settings.PgPort, settings.GatewayPort, settings.PaymentsPort));
        Assert.Equal((11111, 30000, 9464), (settings.SiloPort(1), settings.SiloGatewayPort(1), settings.MetricsPort(1)));
        Assert.Equal((11113, 30002, 9466), (settings.SiloPort(3), settings.SiloGatewayPort(3), settings.MetricsPort(3)));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(45)), (settings.ReadyTimeout, settings.StopTimeout));
        Assert.Equal(("ledger", "ledger", "ledger"), (settings.ClusterId, settings.ServiceId, settings.PgPassword));
    }

    [Fact]
    public void Either_cluster_key_names_the_one_cluster()
    {
        var settings = LedgerSettings.Read(name => name == "Ledger__Cluster__ClusterId" ? "blue" : null);

        Assert.Equal(("blue", "ledger"), (settings.ClusterId, settings.ServiceId));
    }

    [Theory]
    [InlineData("LEDGER_GATEWAY_PORT", "abc", "LEDGER_GATEWAY_PORT=abc is not a port (1-65535)")]
    [InlineData("LEDGER_PG_PORT", "+80", "LEDGER_PG_PORT=+80 is not a port (1-65535)")]
    [InlineData("LEDGER_METRICS_PORT_BASE", "65521", "LEDGER_METRICS_PORT_BASE=65521 leaves no room for 16 silos")]
    [InlineData("LEDGER_READY_TIMEOUT", "1.5", "LEDGER_READY_TIMEOUT=1.5 is not a positive whole number of seconds")]
    [InlineData("LEDGER_SILO_GATEWAY_PORT_BASE", "11120", "LEDGER_SILO_PORT_BASE (11111-11126) and LEDGER_SILO_GATEWAY_PORT_BASE (11120-11135) overlap")]
    public void A_bad_setting_is_a_usage_error_that_names_it(string name, string value, string message)
    {
        var error = Assert.Throws<UserError>(() => LedgerSettings.Read(n => n == name ? value : null));

        Assert.Equal(UserError.Usage, error.ExitCode);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, null, new string[0])]
    [InlineData(true, null, new[] { "--filter", "Category!=Failover&Category!=Browser&Category!=Bench&Category!=Process&Category!=Slow" })]
    [InlineData(true, "Name~Cap", new[] { "--filter", "(Name~Cap)&Category!=Failover&Category!=Browser&Category!=Bench&Category!=Process&Category!=Slow" })]
    [InlineData(false, "Name~Cap", new[] { "--filter", "Name~Cap" })]
    public void Fast_joins_the_callers_filter_as_the_script_did(bool fast, string? filter, string[] expected) =>
        Assert.Equal(expected, TestCommand.Arguments(fast, filter, []));
}
