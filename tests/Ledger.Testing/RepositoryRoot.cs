namespace Ledger.Testing;

/// <summary>The clone a test runs from: the nearest directory above it that holds <c>Ledger.sln</c>.</summary>
public static class RepositoryRoot
{
    /// <summary>The file that marks the root.</summary>
    public const string Marker = "Ledger.sln";

    /// <summary>The clone the running tests were built in, or null outside one.</summary>
    public static string? OfTests => Find(AppContext.BaseDirectory);

    /// <summary><paramref name="start"/> or the nearest directory above it that holds <see cref="Marker"/>; null if none does.</summary>
    public static string? Find(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, Marker)))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
