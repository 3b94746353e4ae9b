using System.Diagnostics;

namespace Ledger.Cli;

/// <summary>Processes that outlive the tool (silos, the gateway, the sandbox), and their stopping.</summary>
public static class Detached
{
    /// <summary>
    /// Starts <paramref name="command"/> in a session of its own (setsid, nohup), its output in <paramref name="log"/>
    /// (the previous log kept as .1). setsid execs without a fork, so the pid returned is the command's own.
    /// </summary>
    public static Process Start(
        IReadOnlyList<string> command, string log, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        if (File.Exists(log))
        {
            File.Move(log, log + ".1", overwrite: true);
        }

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var arg in (string[])["-c", "log=$1; shift; exec setsid nohup \"$@\" >\"$log\" 2>&1 </dev/null", "sh", log, .. command])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new UserError($"could not start {command[0]}");
    }

    /// <summary>SIGTERM, then up to <paramref name="grace"/> for the process to end, then SIGKILL.</summary>
    public static void Stop(int pid, string what, TimeSpan grace)
    {
        Posix.Signal(pid, Posix.SigTerm);
        var deadline = Stopwatch.StartNew();
        while (Posix.IsAlive(pid) && deadline.Elapsed < grace)
        {
            Thread.Sleep(200);
        }

        if (Posix.IsAlive(pid))
        {
            Out.Warn($"{what} (pid {pid}) still running after {grace.TotalSeconds:F0}s; sending SIGKILL");
            Posix.Signal(pid, Posix.SigKill);
        }
    }

    /// <summary>The last lines of a log, to stderr, when something did not start.</summary>
    public static void ShowTail(string log, int lines = 40)
    {
        Out.Warn($"last lines of {log}:");
        if (File.Exists(log))
        {
            foreach (var line in File.ReadLines(log).TakeLast(lines))
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
