using System.Runtime.InteropServices;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// The process's limit on open files (RLIMIT_NOFILE), which bounds its sockets: every accepted connection
/// holds a file handle, and so does every loaded assembly. Linux (64-bit) only; elsewhere nothing is known.
/// The .NET runtime itself raises the soft limit to the hard one at start; raising it here keeps that true
/// wherever the runtime does not.
/// </summary>
public static partial class FileLimit
{
    private const int NoFileResource = 7; // RLIMIT_NOFILE on Linux.

    /// <summary>Raises the soft limit to the hard one; returns the limit now in force and what it was, or null.</summary>
    public static (long Now, long Before)? RaiseSoftToHard()
    {
        try
        {
            return OperatingSystem.IsLinux() ? RaiseOnLinux() : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static (long Now, long Before)? RaiseOnLinux()
    {
        if (GetRLimit(NoFileResource, out var limit) != 0)
        {
            return null;
        }

        var before = Files(limit.Soft);
        if (limit.Soft < limit.Hard)
        {
            var raised = limit with { Soft = limit.Hard };
            if (SetRLimit(NoFileResource, in raised) == 0)
            {
                return (Files(raised.Soft), before);
            }
        }

        return (before, before);
    }

    /// <summary>The file handles the process holds now, or null where that cannot be read.</summary>
    public static int? OpenCount()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // RLIM_INFINITY (all ones) is no limit: as a count of files, the largest there is.
    private static long Files(ulong limit) => limit > long.MaxValue ? long.MaxValue : (long)limit;

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Soft, ulong Hard);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
