namespace Ledger.Cli;

/// <summary>An environment variable the tool reads, with its default as the help shows it.</summary>
public sealed record Setting(string Name, string Default, string Description);
