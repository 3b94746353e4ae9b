using System.Diagnostics;
using System.Globalization;
using Orleans.Runtime;

namespace Ledger.Chaos;

/// <summary>
/// A fault injected and repaired by shell commands (./ledger chaos passes its own). The inject command
/// learns the hot silo's address from LEDGER_CHAOS_SILO_HOST and LEDGER_CHAOS_SILO_PORT and prints what it
/// did; that line becomes the fault's description.
/// </summary>
public sealed class CommandFault(string name, string inject, string repair, TimeSpan? holdFor) : IChaosFault
{
    public string Description { get; private set; } = $"{name} (not yet struck)";

    public TimeSpan? HoldFor { get; } = holdFor;

    public async Task InjectAsync(SiloAddress hotSilo)
    {
        var said = await RunAsync(inject, capture: true, new()
        {
            ["LEDGER_CHAOS_SILO_HOST"] = hotSilo.Endpoint.Address.ToString(),
            ["LEDGER_CHAOS_SILO_PORT"] = hotSilo.Endpoint.Port.ToString(CultureInfo.InvariantCulture),
        });
        Description = said.Length > 0 ? $"{name}: {said}" : $"{name} (hot silo {hotSilo})";
    }

    /// <summary>Runs the repair command, whose output (a silo starting, say) goes to the operator's terminal.</summary>
    public async Task RepairAsync() => await RunAsync(repair, capture: false, []);

    private static async Task<string> RunAsync(string command, bool capture, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = capture, UseShellExecute = false };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {command}.");
        var output = capture ? await process.StandardOutput.ReadToEndAsync() : "";
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{command}` failed with exit code {process.ExitCode}: {output.Trim()}");
        }

        return output.Trim();
    }
}
