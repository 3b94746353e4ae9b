using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ledger.Cli;

/// <summary>The few system calls and child processes the tool needs.</summary>
public static partial class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static bool IsRoot => GetEffectiveUserId() == 0;

    public static uint EffectiveUserId => GetEffectiveUserId();

    public static void Signal(int pid, int signal) => _ = Kill(pid, signal);

    /// <summary>Whether the process runs (a zombie, dead but not yet reaped, does not).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            return end > 0 && end + 2 < stat.Length && stat[end + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether the process's environment holds <paramref name="entry"/> (NAME=value) exactly.</summary>
    public static bool HasEnvironment(int pid, string entry)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains(entry, StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(path => File.Exists(path) && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0);

    /// <summary>Runs a command to its end and returns its exit code and what it printed (both streams).</summary>
    public static (int ExitCode, string Output) Run(
        string file, IEnumerable<string> args, string? input = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new UserError($"could not run {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Runs a command on this terminal (its input and output are the user's) and returns its exit code.</summary>
    public static int RunAttached(
        string file, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, args) { UseShellExecute = false, WorkingDirectory = workingDirectory ?? "" };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        // Ctrl-C reaches the child too (one process group): it decides, and this process waits for its answer.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        using var process = Process.Start(start) ?? throw new UserError($"could not run {file}");
        process.WaitForExit();
        return process.ExitCode;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
