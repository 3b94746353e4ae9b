namespace Ledger.Cli.Tests;

/// <summary>What one run of the tool printed and how it ended.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
