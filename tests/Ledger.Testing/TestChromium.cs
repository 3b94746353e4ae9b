namespace Ledger.Testing;

/// <summary>
/// The Chromium the browser tests drive: <c>LEDGER_CHROMIUM</c> (set by <c>./ledger test</c>), else <c>chromium</c> on the
/// PATH, else the one <c>./ledger test</c> unpacks into <c>.ledger/chromium</c> for a user without root.
/// </summary>
public static class TestChromium
{
    /// <summary>The unpacked Chromium's launcher, from the root of the clone.</summary>
    public static readonly string UnpackedPath = Path.Combine(".ledger", "chromium", "chromium");

    /// <summary>The Chromium to run.</summary>
    /// <exception cref="InvalidOperationException">There is none; the message says how to get one.</exception>
    public static string Executable =>
        Find(Environment.GetEnvironmentVariable("LEDGER_CHROMIUM"), Environment.GetEnvironmentVariable("PATH"), RepositoryRoot.OfTests)
        ?? throw new InvalidOperationException(
            "Chromium is needed for the browser tests: LEDGER_CHROMIUM is not set, and there is no chromium on the PATH nor in " +
            ".ledger/chromium. Run the tests once with ./ledger test (it installs Chromium, or unpacks it into .ledger/chromium " +
            "without root), or run: apt-get install -y --no-install-recommends chromium");

    /// <summary>The first of: <paramref name="configured"/>, <c>chromium</c> in <paramref name="path"/>, the unpacked one.</summary>
    public static string? Find(string? configured, string? path, string? repositoryRoot)
    {
        if (configured is { Length: > 0 })
        {
            return configured;
        }

        var onPath = (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "chromium"))
            .FirstOrDefault(File.Exists);
        var unpacked = repositoryRoot is null ? null : Path.Combine(repositoryRoot, UnpackedPath);
        return onPath ?? (File.Exists(unpacked) ? unpacked : null);
    }
}
