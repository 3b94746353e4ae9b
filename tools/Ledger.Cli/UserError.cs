namespace Ledger.Cli;

/// <summary>A mistake or a failure the user can act on: printed as one line that names its cause, never as a stack trace.</summary>
public sealed class UserError(string message, int exitCode = UserError.Failure) : Exception(message)
{
    /// <summary>Something did not work (a build, a start, a port taken).</summary>
    public const int Failure = 1;

    /// <summary>The command line or a setting is wrong.</summary>
    public const int Usage = 2;

    public int ExitCode { get; } = exitCode;

    public static UserError BadUsage(string message) => new(message, Usage);
}
