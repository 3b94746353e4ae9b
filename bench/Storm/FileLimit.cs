using System.Globalization;
using System.Runtime.InteropServices;

namespace Ledger.Bench;

/// <summary>
/// This process's open-file limit (RLIMIT_NOFILE). A storm opens a socket per buyer in flight, so the soft
/// limit is raised to the hard one at start, and as root the hard one first to <see cref="HardLimitWanted"/>
/// (or the kernel's <c>fs.nr_open</c>, if lower); a refusal leaves the limits as they were.
/// </summary>
public static class FileLimit
{
    public const ulong HardLimitWanted = 1_048_576;

    /// <summary>RLIMIT_NOFILE on Linux (x86-64 and arm64 alike).</summary>
    private const int OpenFilesResource = 7;

    /// <summary>Raises the limits as far as allowed; returns them as they then are, or null off Linux.</summary>
    public static (long Soft, long Hard)? Raise()
    {
        if (!OperatingSystem.IsLinux() || GetLimit(OpenFilesResource, out var limit) != 0)
        {
            return null;
        }

        if (Environment.IsPrivilegedProcess && KernelMax() is var wanted && wanted > limit.Max)
        {
            var raised = new Limit { Current = wanted, Max = wanted };
            _ = SetLimit(OpenFilesResource, ref raised);
        }

        _ = GetLimit(OpenFilesResource, out limit);
        if (limit.Current < limit.Max)
        {
            var soft = limit with { Current = limit.Max };
            _ = SetLimit(OpenFilesResource, ref soft);
            _ = GetLimit(OpenFilesResource, out limit);
        }

        return (Clamp(limit.Current), Clamp(limit.Max));
    }

    private static ulong KernelMax()
    {
        const string path = "/proc/sys/fs/nr_open";
        return File.Exists(path) && ulong.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            ? Math.Min(max, HardLimitWanted)
            : HardLimitWanted;
    }

    /// <summary>RLIM_INFINITY is all ones: as a count of files it is "no limit".</summary>
    private static long Clamp(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;

    [StructLayout(LayoutKind.Sequential)]
    private record struct Limit(ulong Current, ulong Max);

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetLimit(int resource, out Limit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetLimit(int resource, ref Limit limit);
}
