using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Client.Api.Auth;

/// <summary>
/// Bearer tokens as API.md fixes them: HS256, issuer <c>ledger</c>, audience <c>ledger-api</c>, the key from
/// <c>Ledger:Auth:SigningKey</c>; <c>sub</c> is the citizen id and <c>role</c> may hold admin and teller.
/// tools/Ledger.Cli compiles this file too (<c>./ledger token</c>), so tokens are minted and checked by one piece of code.
/// </summary>
public static class LedgerAuth
{
    public const string Issuer = "ledger";
    public const string Audience = "ledger-api";
    public const string AdminRole = "admin";
    public const string TellerRole = "teller";
    public const string AdminPolicy = "admin";
    public const string SigningKeySetting = "Ledger:Auth:SigningKey";

    /// <summary>The claim that carries a citizen's birth year, for a policy's cohorts.</summary>
    public const string BirthYearClaim = "birthYear";
    public const int BirthYearMin = 1900;
    public const int BirthYearMax = 2100;
    public const int SigningKeyBytesMin = 32;
    public static readonly TimeSpan ClockSkewMax = TimeSpan.FromSeconds(30);

    /// <summary>The longest a token may still have to live when it is shown, in hours (a token for year 9999 is refused).</summary>
    public const string TokenLifetimeMaxSetting = "Ledger:Auth:TokenLifetimeMaxHours";
    public const double TokenLifetimeMaxHoursDefault = 24;

    public static SymmetricSecurityKey SigningKey(IConfiguration configuration)
    {
        var key = configuration[SigningKeySetting]
            ?? throw new InvalidOperationException($"Set {SigningKeySetting} (Ledger__Auth__SigningKey).");
        var bytes = Encoding.UTF8.GetBytes(key);
        return bytes.Length >= SigningKeyBytesMin
            ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException($"{SigningKeySetting} must be at least {SigningKeyBytesMin} bytes.");
    }

    /// <summary>The longest lifetime a token may have left (<see cref="TokenLifetimeMaxSetting"/>).</summary>
    public static TimeSpan TokenLifetimeMax(IConfiguration configuration)
    {
        var text = configuration[TokenLifetimeMaxSetting];
        if (text is null)
        {
            return TimeSpan.FromHours(TokenLifetimeMaxHoursDefault);
        }

        return double.TryParse(text, CultureInfo.InvariantCulture, out var hours) && hours > 0 && hours <= TimeSpan.MaxValue.TotalHours
            ? TimeSpan.FromHours(hours)
            : throw new InvalidOperationException($"{TokenLifetimeMaxSetting} must be a positive number of hours, not '{text}'.");
    }

    public static IServiceCollection AddLedgerAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var key = SigningKey(configuration);
        var lifetimeMax = TokenLifetimeMax(configuration);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    if (context.SecurityToken.ValidTo > DateTime.UtcNow + lifetimeMax + ClockSkewMax)
                    {
                        context.Fail($"The token expires more than {lifetimeMax.TotalHours} hours from now.");
                    }

                    return Task.CompletedTask;
                },
            };
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Issuer,
                ValidAudience = Audience,
                IssuerSigningKey = key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = ClockSkewMax,
                NameClaimType = JwtRegisteredClaimNames.Sub,
                RoleClaimType = "role",
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, policy => policy.RequireRole(AdminRole));
        return services;
    }

    /// <summary>A token for development and load tests.</summary>
    public static string Mint(
        SymmetricSecurityKey key, string subject, IEnumerable<string> roles, DateTime now, TimeSpan lifetime, int? birthYear = null)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, subject) };
        claims.AddRange(roles.Select(role => new Claim("role", role)));
        if (birthYear is { } year)
        {
            claims.Add(new Claim(BirthYearClaim, year.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer32));
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The caller's birth year (the <c>birthYear</c> claim), or null when absent or not a plausible year.</summary>
    public static int? BirthYear(this ClaimsPrincipal user) =>
        TryParseBirthYear(user.FindFirstValue(BirthYearClaim), out var year) ? year : null;

    /// <summary>Whether <paramref name="text"/> is a plausible birth year, from <see cref="BirthYearMin"/> to <see cref="BirthYearMax"/>.</summary>
    public static bool TryParseBirthYear(string? text, out int year) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is >= BirthYearMin and <= BirthYearMax;

    /// <summary>The caller's citizen id (<c>sub</c>), or null.</summary>
    public static string? CitizenId(this ClaimsPrincipal user) => user.FindFirstValue(JwtRegisteredClaimNames.Sub);
}
