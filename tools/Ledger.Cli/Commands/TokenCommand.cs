using System.Globalization;
using Ledger.Client.Api.Auth;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>token --sub ID [--role admin|teller]... [--birth-year Y] [--hours N]</c>: prints a token signed with the key
/// ./ledger up gives the gateway (Ledger__Auth__SigningKey, else .ledger/signing-key), within the gateway's lifetime cap.
/// </summary>
public static class TokenCommand
{
    public const string Usage = "Usage: token --sub ID [--role admin|teller]... [--birth-year Y] [--hours N]";
    public const double HoursDefault = 12;

    /// <summary>The token, or the problem with the request (exit code 2).</summary>
    public static int Run(IConfiguration configuration, string? subject, IReadOnlyList<string> roles, string? birthYear, string? hours, TextWriter output)
    {
        var lifetime = HoursDefault;
        if (hours is not null && !(double.TryParse(hours, CultureInfo.InvariantCulture, out lifetime) && lifetime > 0))
        {
            return Problem($"--hours takes a positive number, not {hours}");
        }

        int? year = null;
        if (birthYear is not null)
        {
            if (!LedgerAuth.TryParseBirthYear(birthYear, out var parsed))
            {
                return Problem($"--birth-year takes a year from {LedgerAuth.BirthYearMin} to {LedgerAuth.BirthYearMax}, not {birthYear}");
            }

            year = parsed;
        }

        if (subject is null)
        {
            return Problem("--sub is required");
        }

        if (!Grains.Interfaces.CitizenIds.IsValid(subject))
        {
            return Problem($"--sub {subject} is not an id: 1 to 64 of A-Z, a-z, 0-9, '_' and '-'");
        }

        if (roles.Except([LedgerAuth.AdminRole, LedgerAuth.TellerRole]).FirstOrDefault() is { } unknown)
        {
            return Problem($"unknown role {unknown}");
        }

        var lifetimeMax = LedgerAuth.TokenLifetimeMax(configuration);
        if (TimeSpan.FromHours(lifetime) > lifetimeMax)
        {
            return Problem($"--hours {lifetime} is past the gateway's cap of {lifetimeMax.TotalHours} hours ({LedgerAuth.TokenLifetimeMaxSetting})");
        }

        output.WriteLine(LedgerAuth.Mint(
            LedgerAuth.SigningKey(configuration), subject, roles, DateTime.UtcNow, TimeSpan.FromHours(lifetime), year));
        return 0;
    }

    /// <summary>The gateway's settings as ./ledger up gives them: the environment, and the clone's signing key.</summary>
    public static IConfiguration Configuration(LedgerSettings settings, LedgerPaths paths) => new ConfigurationBuilder()
        .AddEnvironmentVariables()
        .AddInMemoryCollection(new Dictionary<string, string?> { [LedgerAuth.SigningKeySetting] = Secrets.SigningKey(settings, paths) })
        .Build();

    private static int Problem(string problem)
    {
        Console.Error.WriteLine($"token: {problem}. {Usage}");
        return UserError.Usage;
    }
}
