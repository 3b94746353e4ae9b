using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ledger.Client.Api.Auth;

/// <summary>
/// HTTP Basic authentication for operators, so that a browser can open the dashboard: it asks for the user
/// (<c>Ledger:Dashboard:OperatorUser</c>, default <c>operator</c>) and the password
/// (<c>Ledger:Dashboard:OperatorPassword</c>). Without a password set, nobody signs in this way. Only the
/// dashboard accepts this scheme; the API takes bearer tokens alone.
/// </summary>
public sealed class OperatorBasicHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OperatorBasic";
    public const string OperatorRole = "operator";
    public const string UserSetting = "Ledger:Dashboard:OperatorUser";
    public const string PasswordSetting = "Ledger:Dashboard:OperatorPassword";
    public const string UserDefault = "operator";
    public const int PasswordCharsMin = 16;

    /// <summary>The password, or null when operators cannot sign in; a short one is refused at start.</summary>
    public static string? Password(IConfiguration configuration) => configuration[PasswordSetting] switch
    {
        null or "" => null,
        { Length: < PasswordCharsMin } => throw new InvalidOperationException(
            $"{PasswordSetting} must be at least {PasswordCharsMin} characters."),
        var password => password,
    };

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var user = configuration[UserSetting] ?? UserDefault;
        if (Password(configuration) is not { } password || Credentials(header.Parameter) is not var (givenUser, givenPassword)
            || !SameSecret($"{user}:{password}", $"{givenUser}:{givenPassword}"))
        {
            return Task.FromResult(AuthenticateResult.Fail("Wrong operator user or password."));
        }

        var identity = new ClaimsIdentity(
            [new Claim("sub", user), new Claim("role", OperatorRole)], SchemeName, "sub", "role");
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", "Basic realm=\"Ledger dashboard\", charset=\"UTF-8\"");
        return Task.CompletedTask;
    }

    private static (string User, string Password)? Credentials(string? parameter)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter ?? ""));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Compares digests, so the time taken tells nothing of the secret, not even its length.
    private static bool SameSecret(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));
}
