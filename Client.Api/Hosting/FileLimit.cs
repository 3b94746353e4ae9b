using System.Runtime.InteropServices;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// The process's limit on open files (RLIMIT_NOFILE), which bounds its sockets: every accepted connection
/// holds a file handle, and so does every loaded assembly. Linux only; elsewhere nothing is known.
/// </summary>
public static partial class FileLimit
{
    private const int NoFileResource = 7; // RLIMIT_NOFILE on Linux.

    /// <summary>Raises the soft limit to the hard one; returns the limit now in force and what it was, or null.</summary>
    public static (long Now, long Before)? RaiseSoftToHard()
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(NoFileResource, out var limit) != 0)
        {
            return null;
        }

        var before = (long)limit.Soft;
        if (limit.Soft < limit.Hard)
        {
            var raised = limit with { Soft = limit.Hard };
            if (SetRLimit(NoFileResource, in raised) == 0)
            {
                return ((long)raised.Soft, before);
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

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Soft, ulong Hard);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
