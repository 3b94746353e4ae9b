using System.Diagnostics;
using System.Reflection;

namespace Ledger.Cli.Tests;

/// <summary>
/// The tool run as ./ledger runs it, in a state directory of its own (LEDGER_STATE_DIR) with ports of its own, so
/// that it never meets the clone's own system.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private static readonly string CliPath = typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CliPath").Value!;

    public CliProcess()
    {
        // World-traversable (mode 755 under the default umask): as root, PostgreSQL's own user keeps its data here.
        StateDir = Directory.CreateTempSubdirectory("ledger-cli-tests-").FullName;
        File.SetUnixFileMode(StateDir, (UnixFileMode)0b111_101_101);
        var siloBase = Grains.Tests.TestPorts.Free() / 100 * 100;
        Environment = new Dictionary<string, string>
        {
            ["LEDGER_STATE_DIR"] = StateDir,
            ["LEDGER_PG_PORT"] = $"{Grains.Tests.TestPorts.Free()}",
            ["LEDGER_GATEWAY_PORT"] = $"{Grains.Tests.TestPorts.Free()}",
            ["LEDGER_PAYMENTS_PORT"] = $"{Grains.Tests.TestPorts.Free()}",
            ["LEDGER_SILO_PORT_BASE"] = $"{siloBase}",
            ["LEDGER_SILO_GATEWAY_PORT_BASE"] = $"{siloBase + 20}",
            ["LEDGER_METRICS_PORT_BASE"] = $"{siloBase + 40}",
            ["LEDGER_STOP_TIMEOUT"] = "10",
            ["LEDGER_READY_TIMEOUT"] = "30",
            // A stand-in silo that is ready at once and ends on SIGTERM: scale and status without a build.
            ["LEDGER_SILO_CMD"] = "echo 'Ledger silo is ready'; exec sleep 600",
        };
    }

    public string StateDir { get; }

    /// <summary>The settings the tool runs with; a test may change them.</summary>
    public Dictionary<string, string> Environment { get; }

    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [CliPath, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("LEDGER_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(Environment, args);

    public void Dispose()
    {
        try
        {
            Directory.Delete(StateDir, recursive: true);
        }
        catch (IOException)
        {
            // A process that outlived the test may still write its log: the temporary directory is left to the system.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
