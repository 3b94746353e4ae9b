using System.Globalization;

namespace Ledger.Client.Api.Auth;

/// <summary><c>token --sub ID [--role admin|teller]... [--birth-year Y] [--hours N]</c>: prints a signed token and exits.</summary>
public static class TokenCommand
{
    public static int Run(string[] args, IConfiguration configuration)
    {
        string? subject = null;
        var roles = new List<string>();
        var hours = 12.0;
        int? birthYear = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--sub": subject = args[i + 1]; break;
                case "--role": roles.Add(args[i + 1]); break;
                case "--hours" when double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var parsed) && parsed > 0:
                    hours = parsed;
                    break;
                case "--hours": return Usage($"--hours takes a positive number, not {args[i + 1]}");
                case "--birth-year" when LedgerAuth.TryParseBirthYear(args[i + 1], out var year):
                    birthYear = year;
                    break;
                case "--birth-year":
                    return Usage($"--birth-year takes a year from {LedgerAuth.BirthYearMin} to {LedgerAuth.BirthYearMax}, not {args[i + 1]}");
                default: return Usage($"unknown option {args[i]}");
            }
        }

        if (args.Length % 2 != 0 || subject is null)
        {
            return Usage("--sub is required");
        }

        if (!Grains.Interfaces.CitizenIds.IsValid(subject))
        {
            return Usage($"--sub {subject} is not an id: 1 to 64 of A-Z, a-z, 0-9, '_' and '-'");
        }

        if (roles.Except([LedgerAuth.AdminRole, LedgerAuth.TellerRole]).FirstOrDefault() is { } unknown)
        {
            return Usage($"unknown role {unknown}");
        }

        var lifetimeMax = LedgerAuth.TokenLifetimeMax(configuration);
        if (TimeSpan.FromHours(hours) > lifetimeMax)
        {
            return Usage($"--hours {hours} is past the gateway's cap of {lifetimeMax.TotalHours} hours ({LedgerAuth.TokenLifetimeMaxSetting})");
        }

        Console.WriteLine(LedgerAuth.Mint(
            LedgerAuth.SigningKey(configuration), subject, roles, DateTime.UtcNow, TimeSpan.FromHours(hours), birthYear));
        return 0;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"token: {problem}. Usage: token --sub ID [--role admin|teller]... [--birth-year Y] [--hours N]");
        return 2;
    }
}
