using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// CPU time (user and system) spent so far by the gateway and silos that <c>./ledger bench</c> names in
/// LEDGER_WATCH_PIDS, and by PostgreSQL (its postmaster, LEDGER_PG_PID, with the time of the backends it has reaped,
/// and every backend still running), read from /proc.
/// </summary>
public static class ProcessTimes
{
    public const string PostgresPidVariable = "LEDGER_PG_PID";

    /// <summary>Linux's clock ticks a second for /proc's times (USER_HZ).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>Seconds of CPU by process (name and pid), and <c>postgres</c> for the database's processes together.</summary>
    public static SortedDictionary<string, double> Now()
    {
        var seconds = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var pid in MemoryWatch.WatchedPids())
        {
            if (Read(pid) is { } stat)
            {
                seconds[$"{MemoryWatch.NameOf(pid)} (pid {pid})"] = stat.Seconds;
            }
        }

        if (Environment.GetEnvironmentVariable(PostgresPidVariable) is { Length: > 0 } postmaster)
        {
            seconds["postgres"] = Directory.EnumerateDirectories("/proc")
                .Select(Path.GetFileName)
                .Where(name => name!.All(char.IsAsciiDigit))
                .Select(pid => (Pid: pid!, Stat: Read(pid!)))
                .Where(p => p.Stat is { } stat && (p.Pid == postmaster || stat.ParentPid == postmaster))
                .Sum(p => p.Pid == postmaster ? p.Stat!.Value.Seconds + p.Stat.Value.ReapedSeconds : p.Stat!.Value.Seconds);
        }

        return seconds;
    }

    /// <summary>What was spent from <paramref name="before"/> to <paramref name="after"/>, by process.</summary>
    public static SortedDictionary<string, double> Spent(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after) =>
        new(after.Where(p => before.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value - before[p.Key]), StringComparer.Ordinal);

    /// <summary>The parent, the process's own time, and the time of its children that exited and it waited for.</summary>
    private static (string ParentPid, double Seconds, double ReapedSeconds)? Read(string pid)
    {
        try
        {
            // The command name, in parentheses, may hold spaces: the fields are counted after its closing one.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double Seconds(int utime, int stime) =>
                (long.Parse(fields[utime], CultureInfo.InvariantCulture) + long.Parse(fields[stime], CultureInfo.InvariantCulture)) / TicksPerSecond;
            return (fields[1], Seconds(11, 12), Seconds(13, 14));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Exited meanwhile, or not ours to read.
            return null;
        }
    }
}
