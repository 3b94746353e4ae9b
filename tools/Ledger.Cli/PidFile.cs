using System.Globalization;

namespace Ledger.Cli;

/// <summary>
/// A process the tool started, known by its pid file. The pid counts only while the process runs and carries the
/// marker the tool put in its environment: the file could be stale and the pid reused.
/// </summary>
public sealed class PidFile(string path, string marker)
{
    public string Path { get; } = path;

    /// <summary>NAME=value in the process's environment.</summary>
    public string Marker { get; } = marker;

    public bool Exists => File.Exists(Path);

    /// <summary>The pid of the process, if it is alive and ours.</summary>
    public int? LivePid()
    {
        if (!File.Exists(Path)
            || !int.TryParse(File.ReadAllText(Path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        return Posix.IsAlive(pid) && Posix.HasEnvironment(pid, Marker) ? pid : null;
    }

    public void Write(int pid) => File.WriteAllText(Path, pid.ToString(CultureInfo.InvariantCulture) + "\n");

    public void Delete() => File.Delete(Path);
}
