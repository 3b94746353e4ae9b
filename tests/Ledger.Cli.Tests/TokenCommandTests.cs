using Ledger.Cli.Commands;
using Ledger.Client.Api.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Ledger.Cli.Tests;

public sealed class TokenCommandTests
{
    private static readonly IConfiguration Settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        [LedgerAuth.SigningKeySetting] = new string('k', LedgerAuth.SigningKeyBytesMin),
        [LedgerAuth.TokenLifetimeMaxSetting] = "6",
    }).Build();

    [Theory]
    [InlineData("6", 0)]
    [InlineData("7", 2)]
    [InlineData("-1", 2)]
    public void A_token_is_minted_only_within_the_gateways_lifetime_cap(string hours, int exitCode) =>
        Assert.Equal(exitCode, TokenCommand.Run(Settings, "citizen-1", [], null, hours, TextWriter.Null));

    [Theory]
    [InlineData(null, new string[0], null)]
    [InlineData("not an id!", new string[0], null)]
    [InlineData("citizen-1", new[] { "root" }, null)]
    [InlineData("citizen-1", new string[0], "1800")]
    public void A_request_the_gateway_would_not_honour_is_refused(string? subject, string[] roles, string? birthYear) =>
        Assert.Equal(2, TokenCommand.Run(Settings, subject, roles, birthYear, null, TextWriter.Null));

    [Fact]
    public void The_token_carries_the_subject_roles_and_birth_year()
    {
        var output = new StringWriter();

        Assert.Equal(0, TokenCommand.Run(Settings, "citizen-1", ["admin", "teller"], "1990", "2", output));

        var token = new JsonWebToken(output.ToString().Trim());
        Assert.Equal("citizen-1", token.Subject);
        Assert.Equal(["admin", "teller"], token.Claims.Where(c => c.Type == "role").Select(c => c.Value));
        Assert.Equal("1990", token.GetClaim(LedgerAuth.BirthYearClaim).Value);
        Assert.Equal(LedgerAuth.Issuer, token.Issuer);
        Assert.Equal(TimeSpan.FromHours(2), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public void A_cap_that_is_not_a_positive_number_of_hours_names_the_setting()
    {
        var bad = new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { [LedgerAuth.TokenLifetimeMaxSetting] = "forever" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => LedgerAuth.TokenLifetimeMax(bad));
        Assert.Contains(LedgerAuth.TokenLifetimeMaxSetting, error.Message, StringComparison.Ordinal);
    }
}
