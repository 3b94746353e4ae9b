using System.Net;
using System.Net.Sockets;
using Ledger.Testing;

namespace Ledger.Cli.Tests;

/// <summary>Settings and ports checked before anything starts: each refusal names its setting, and nothing is left behind.</summary>
[Trait("Category", TestCategories.Process)]
public sealed class CliSettingsTests : IDisposable
{
    private readonly CliProcess cli = new();

    [Theory]
    [InlineData("LEDGER_GATEWAY_PORT", "abc", "LEDGER_GATEWAY_PORT=abc is not a port (1-65535)")]
    [InlineData("LEDGER_PG_PORT", "70000", "LEDGER_PG_PORT=70000 is not a port (1-65535)")]
    [InlineData("LEDGER_PAYMENTS_PORT", "0", "LEDGER_PAYMENTS_PORT=0 is not a port (1-65535)")]
    [InlineData("LEDGER_SILO_PORT_BASE", "65530", "LEDGER_SILO_PORT_BASE=65530 leaves no room for 16 silos")]
    [InlineData("LEDGER_READY_TIMEOUT", "-1", "LEDGER_READY_TIMEOUT=-1 is not a positive whole number of seconds")]
    [InlineData("LEDGER_STOP_TIMEOUT", "0", "LEDGER_STOP_TIMEOUT=0 is not a positive whole number of seconds")]
    [InlineData("Ledger__Cluster__ClusterId", "other", "Ledger__Silo__ClusterId ('ledger') and Ledger__Cluster__ClusterId ('other') differ")]
    public async Task A_bad_setting_is_refused_by_name_before_anything_starts(string name, string value, string message)
    {
        cli.Environment[name] = value;
        if (name.StartsWith("Ledger__Cluster", StringComparison.Ordinal))
        {
            cli.Environment["Ledger__Silo__ClusterId"] = "ledger";
        }

        var result = await cli.RunAsync("up");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        AssertNothingStarted();
    }

    [Fact]
    public async Task Two_settings_on_the_same_port_are_refused_by_name()
    {
        cli.Environment["LEDGER_PAYMENTS_PORT"] = cli.Environment["LEDGER_GATEWAY_PORT"];

        var result = await cli.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("LEDGER_GATEWAY_PORT", result.Error, StringComparison.Ordinal);
        Assert.Contains("LEDGER_PAYMENTS_PORT", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_already_taken_is_named_with_its_setting_before_anything_starts()
    {
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var port = ((IPEndPoint)other.LocalEndpoint).Port;
        cli.Environment["LEDGER_GATEWAY_PORT"] = $"{port}";

        var result = await cli.RunAsync("up");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"port {port} (LEDGER_GATEWAY_PORT) is taken by another process", result.Error, StringComparison.Ordinal);
        AssertNothingStarted();
    }

    [Theory]
    [InlineData("the number of silos must be a whole number from 1 to 16 (got '17')", "up", "--silos", "17")]
    [InlineData("the number of silos must be a whole number from 0 to 16 (got 'many')", "scale", "many")]
    [InlineData("--rate takes a positive whole number, not '0'", "chaos", "--rate", "0")]
    [InlineData("'nope'", "chaos", "--fault", "nope")]
    [InlineData("'--nope'", "up", "--nope")]
    public async Task A_bad_argument_is_a_usage_error_without_a_stack_trace(string message, params string[] args)
    {
        var result = await cli.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        AssertNothingStarted();
    }

    public void Dispose() => cli.Dispose();

    private void AssertNothingStarted()
    {
        Assert.False(Directory.Exists(Path.Combine(cli.StateDir, "pg")), "PostgreSQL's directory was made");
        Assert.False(Directory.Exists(Path.Combine(cli.StateDir, "run")) && Directory.EnumerateFiles(Path.Combine(cli.StateDir, "run")).Any());
    }
}
