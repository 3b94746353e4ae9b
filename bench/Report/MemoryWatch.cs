using System.Diagnostics;
using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// Peak resident memory (VmHWM) of this process and of the processes named in LEDGER_WATCH_PIDS (./ledger
/// bench names the silo and gateway it started; only http mode uses them), read from /proc at the end of the run,
/// and their resident memory now (the flood run reads it after each round).
/// </summary>
public static class MemoryWatch
{
    public const string PidsVariable = "LEDGER_WATCH_PIDS";

    public static IReadOnlyDictionary<string, long> PeakBytes(bool watched)
    {
        var peaks = new Dictionary<string, long> { ["bench"] = Process.GetCurrentProcess().PeakWorkingSet64 };
        foreach (var pid in watched ? WatchedPids() : [])
        {
            if (StatusBytes(pid, "VmHWM:") is { } peak)
            {
                peaks[$"{NameOf(pid)} (pid {pid})"] = peak;
            }
        }

        return peaks;
    }

    /// <summary>Resident memory (VmRSS) of the processes named in LEDGER_WATCH_PIDS now, by name and pid.</summary>
    public static SortedDictionary<string, long> ResidentBytes()
    {
        var resident = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var pid in WatchedPids())
        {
            if (StatusBytes(pid, "VmRSS:") is { } bytes)
            {
                resident[$"{NameOf(pid)} (pid {pid})"] = bytes;
            }
        }

        return resident;
    }

    /// <summary>The pids in LEDGER_WATCH_PIDS.</summary>
    public static string[] WatchedPids() =>
        (Environment.GetEnvironmentVariable(PidsVariable) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A memory figure of /proc/PID/status (in kB there), in bytes; null once the process is gone.</summary>
    private static long? StatusBytes(string pid, string field)
    {
        var status = $"/proc/{pid}/status";
        var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) : null;
        return line is null
            ? null
            : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    public static string NameOf(string pid)
    {
        var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        return Path.GetFileNameWithoutExtension(
            arguments.LastOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal)) ?? arguments.FirstOrDefault() ?? pid);
    }
}
