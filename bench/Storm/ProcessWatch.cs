using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// The gateway and silos that <c>./ledger bench</c> names in LEDGER_WATCH_PIDS, seen from /proc: each one's
/// open-file limit, its open files (sampled once a second during the storm, keeping the most seen; a count of a
/// table that changes while it is read, so approximate under churn), and
/// whether it is still running at the end.
/// </summary>
public sealed class ProcessWatch
{
    private readonly string[] pids = (Environment.GetEnvironmentVariable(MemoryWatch.PidsVariable) ?? "")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(pid => int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out _)).ToArray();

    private readonly Dictionary<string, int> openFilesPeak = [];
    private readonly Dictionary<string, string> names = [];
    private readonly Dictionary<string, long?> fileLimits = [];

    public ProcessWatch()
    {
        foreach (var pid in pids.Where(Running))
        {
            names[pid] = MemoryWatch.NameOf(pid);
            fileLimits[pid] = FileLimitOf(pid);
        }
    }

    /// <summary>Counts each running process's open files now, by name; called from one thread.</summary>
    public IReadOnlyDictionary<string, int> Sample()
    {
        var now = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var pid in pids.Where(Running))
        {
            try
            {
                var open = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
                openFilesPeak[pid] = Math.Max(open, openFilesPeak.GetValueOrDefault(pid));
                now[names.GetValueOrDefault(pid, pid)] = open;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Exited meanwhile, or not ours to read.
            }
        }

        return now;
    }

    public IReadOnlyList<WatchedProcess> Report() => pids.Select(pid => new WatchedProcess(
        int.Parse(pid, CultureInfo.InvariantCulture), names.GetValueOrDefault(pid, "?"), Running(pid),
        fileLimits.GetValueOrDefault(pid), openFilesPeak.TryGetValue(pid, out var peak) ? peak : null)).ToArray();

    /// <summary>Running, and not a zombie: a zombie's status has no memory figures.</summary>
    private static bool Running(string pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status").Any(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static long? FileLimitOf(string pid)
    {
        var line = File.ReadLines($"/proc/{pid}/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;
    }
}
