using Ledger.Client.Api;
using Ledger.Client.Api.Auth;

// ./ledger token --sub ID [--role admin|teller]: print a development token and exit.
if (args is ["token", .. var tokenArgs])
{
    var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
    var settings = new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{environment}.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
    return TokenCommand.Run(tokenArgs, settings);
}

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
