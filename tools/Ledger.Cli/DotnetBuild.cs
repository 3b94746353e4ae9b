using System.Text.RegularExpressions;
using Spectre.Console;

namespace Ledger.Cli;

/// <summary>Quiet Release builds; on failure the errors are shown, and where the full log is.</summary>
public static partial class DotnetBuild
{
    public static void Run(LedgerPaths paths, string target)
    {
        paths.EnsureDirectories();
        Out.Say($"building {target} (Release; log: {paths.BuildLog})...");
        (int, string) Build() => Posix.Run("dotnet", ["build", target, "-c", "Release", "-nologo", "-v", "quiet"], workingDirectory: paths.Root);
        // On a terminal a spinner shows it is working; in a log, the line above says it all.
        var (code, output) = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected
            ? AnsiConsole.Status().Start($"building {target}...", _ => Build())
            : Build();
        File.WriteAllText(paths.BuildLog, output);
        Interrupt.ThrowIfRequested();
        if (code == 0)
        {
            return;
        }

        var lines = output.Split('\n');
        var errors = lines.Where(line => ErrorLine().IsMatch(line)).Distinct().Order(StringComparer.Ordinal).Take(40).ToList();
        Out.Warn($"build failed; errors (full log: {paths.BuildLog}):");
        foreach (var line in errors.Count > 0 ? errors : lines.TakeLast(40))
        {
            Console.Error.WriteLine(line);
        }

        throw new UserError($"dotnet build {target} -c Release failed");
    }

    [GeneratedRegex(@": error [A-Z]+[0-9]+")]
    private static partial Regex ErrorLine();
}
