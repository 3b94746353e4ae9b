using System.Text.RegularExpressions;

namespace Ledger.Cli;

/// <summary>Quiet Release builds; on failure the errors are shown, and where the full log is.</summary>
public static partial class DotnetBuild
{
    public static void Run(LedgerPaths paths, string target)
    {
        paths.EnsureDirectories();
        Out.Say($"building {target} (Release; log: {paths.BuildLog})...");
        var (code, output) = Posix.Run("dotnet", ["build", target, "-c", "Release", "-nologo", "-v", "quiet"], workingDirectory: paths.Root,
            environment: new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });
        File.WriteAllText(paths.BuildLog, output);
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
