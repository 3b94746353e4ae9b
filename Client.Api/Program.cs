using Ledger.Client.Api;

var app = LedgerGateway.Build(args);
await app.RunAsync();
// Non-zero when the gateway stopped itself (CachedFailureHandler), so that its supervisor starts a new one.
return Environment.ExitCode;

/// <summary>The gateway; public so that tests can host it.</summary>
public partial class Program
{
    /// <summary>The largest request body accepted, in bytes.</summary>
    public const int BodyBytesMax = 16 * 1024;
}
