using Ledger.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Ledger.Cli.Tests;

/// <summary>./ledger token as a process: the clone's key, the gateway's lifetime cap and its messages (tests/Client.Api.Tests: accepted).</summary>
[Trait("Category", TestCategories.Process)]
public sealed class CliTokenTests : IDisposable
{
    private readonly CliProcess cli = new();

    [Fact]
    public async Task A_token_is_signed_with_the_key_made_once_for_the_clone()
    {
        var first = await cli.RunAsync("token", "--sub", "ops", "--role", "admin");
        var second = await cli.RunAsync("token", "--sub", "alice", "--birth-year", "1990");

        Assert.True(first.ExitCode == 0, first.ToString());
        var key = File.ReadAllText(Path.Combine(cli.StateDir, "signing-key")).Trim();
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(cli.StateDir, "signing-key")));
        Assert.All([first.Output, second.Output], token => Assert.True(Verifies(token, key), token));
        Assert.Equal("1990", new JsonWebToken(second.Output.Trim()).GetClaim("birthYear").Value);
    }

    [Fact]
    public async Task A_bad_request_gets_the_gateways_message_and_exit_code_2()
    {
        cli.Environment["Ledger__Auth__TokenLifetimeMaxHours"] = "6";

        var result = await cli.RunAsync("token", "--sub", "citizen-1", "--hours", "7");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--hours 7 is past the gateway's cap of 6 hours (Ledger:Auth:TokenLifetimeMaxHours)", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    public void Dispose() => cli.Dispose();

    private static bool Verifies(string token, string key) => new JsonWebTokenHandler().ValidateTokenAsync(token.Trim(),
        new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            ValidIssuer = "ledger",
            ValidAudience = "ledger-api",
            IssuerSigningKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(key)),
        }).Result.IsValid;
}
