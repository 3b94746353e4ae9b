using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Bench;

/// <summary>
/// Tokens as <c>./ledger token</c> mints them (Client.Api's LedgerAuth.Mint): HS256, issuer <c>ledger</c>,
/// audience <c>ledger-api</c>, <c>sub</c> and <c>role</c> claims, signed with <c>Ledger__Auth__SigningKey</c>.
/// </summary>
public sealed class TokenMinter(string signingKey)
{
    public const string SigningKeyVariable = "Ledger__Auth__SigningKey";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    private readonly SigningCredentials credentials = new(
        new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler handler = new();

    public static TokenMinter FromEnvironment() => new(Environment.GetEnvironmentVariable(SigningKeyVariable)
        ?? throw new InvalidOperationException($"http mode signs tokens with the gateway's key: set {SigningKeyVariable} (./ledger bench does)."));

    public string Mint(string subject, params string[] roles)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, subject) };
        claims.AddRange(roles.Select(role => new Claim("role", role)));
        var now = DateTime.UtcNow;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "ledger",
            Audience = "ledger-api",
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = credentials,
        });
    }
}
