using System.Diagnostics;
using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// Peak resident memory (VmHWM) of this process and of the processes named in LEDGER_WATCH_PIDS (./ledger
/// bench names the silo and gateway it started; only http mode uses them), read from /proc at the end of the run.
/// </summary>
public static class MemoryWatch
{
    public const string PidsVariable = "LEDGER_WATCH_PIDS";

    public static IReadOnlyDictionary<string, long> PeakBytes(bool watched)
    {
        var peaks = new Dictionary<string, long> { ["bench"] = Process.GetCurrentProcess().PeakWorkingSet64 };
        var pids = watched ? (Environment.GetEnvironmentVariable(PidsVariable) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        foreach (var pid in pids)
        {
            if (PeakOf(pid) is { } peak)
            {
                peaks[$"{NameOf(pid)} (pid {pid})"] = peak;
            }
        }

        return peaks;
    }

    private static long? PeakOf(string pid)
    {
        var status = $"/proc/{pid}/status";
        var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is null
            ? null
            : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    public static string NameOf(string pid)
    {
        var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        return Path.GetFileNameWithoutExtension(
            arguments.LastOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal)) ?? arguments.FirstOrDefault() ?? pid);
    }
}
