using Ledger.Client.Api.Auth;
using Microsoft.Extensions.Configuration;

namespace Ledger.Client.Api.Tests;

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
    public void A_token_is_minted_only_within_the_gateways_lifetime_cap(string hours, int exitCode) =>
        Assert.Equal(exitCode, TokenCommand.Run(["--sub", "citizen-1", "--hours", hours], Settings));

    [Fact]
    public void A_cap_that_is_not_a_positive_number_of_hours_names_the_setting()
    {
        var bad = new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { [LedgerAuth.TokenLifetimeMaxSetting] = "forever" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => LedgerAuth.TokenLifetimeMax(bad));
        Assert.Contains(LedgerAuth.TokenLifetimeMaxSetting, error.Message, StringComparison.Ordinal);
    }
}
