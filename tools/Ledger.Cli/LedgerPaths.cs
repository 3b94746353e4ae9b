namespace Ledger.Cli;

/// <summary>The clone the tool belongs to and its state directory (<c>.ledger/</c>: logs/, run/, pg/, the secrets).</summary>
public sealed class LedgerPaths
{
    private LedgerPaths(string root, string state)
    {
        Root = root;
        State = state;
        // Processes are marked with the clone's path, as the script marked them; another state directory marks its own.
        Home = state == Path.Combine(root, ".ledger") ? root : state;
    }

    public string Root { get; }

    public string State { get; }

    /// <summary>The value this clone's processes carry in their LEDGER_*_HOME marker.</summary>
    public string Home { get; }

    public string Logs => Path.Combine(State, "logs");

    public string Run => Path.Combine(State, "run");

    public string BuildLog => Path.Combine(Logs, "build.log");

    public static LedgerPaths Find(LedgerSettings settings)
    {
        var root = FindRoot(AppContext.BaseDirectory)
            ?? throw new UserError($"no Ledger.sln above {AppContext.BaseDirectory}: run the tool through ./ledger in a clone");
        var state = settings.StateDir is { } dir ? Path.GetFullPath(dir) : Path.Combine(root, ".ledger");
        return new LedgerPaths(root, state);
    }

    /// <summary>The clone holding <paramref name="directory"/>: the nearest directory above it with Ledger.sln.</summary>
    public static string? FindRoot(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    public void EnsureDirectories()
    {
        Directory.CreateDirectory(Logs);
        Directory.CreateDirectory(Run);
    }

    /// <summary>The path relative to the clone, for messages.</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path) is var relative && !relative.StartsWith("..", StringComparison.Ordinal)
        ? relative
        : path;
}
