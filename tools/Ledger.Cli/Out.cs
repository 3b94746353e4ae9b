namespace Ledger.Cli;

/// <summary>What the tool tells its user, every line prefixed as the script's were.</summary>
public static class Out
{
    public static void Say(string line) => Console.WriteLine($"ledger: {line}");

    public static void Warn(string line) => Console.Error.WriteLine($"ledger: warning: {line}");

    public static void Error(string line) => Console.Error.WriteLine($"ledger: error: {line}");
}
