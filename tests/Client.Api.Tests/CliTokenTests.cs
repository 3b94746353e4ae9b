using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Client.Api.Tests;

/// <summary>The gateway accepts what <c>./ledger token</c> mints with its key: the tool and the gateway share LedgerAuth.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class CliTokenTests(GatewayFixture fixture)
{
    private static readonly string CliPath = typeof(CliTokenTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CliPath").Value!;

    [Fact]
    public async Task The_gateway_accepts_a_token_minted_by_the_ledger_tool()
    {
        var key = fixture.Gateway.Services.GetRequiredService<IConfiguration>()[LedgerAuth.SigningKeySetting]!;
        var admin = await MintAsync(key, "--sub", "cli-operator", "--role", "admin");
        var citizen = await MintAsync(key, "--sub", "cli-citizen");
        var now = fixture.Ledger.Clock.GetUtcNow();
        var path = GatewayRequests.PathOf(new ProgramMonth($"t{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(now)));
        var opensAt = now.AddMinutes(-1).ToOffset(ProgramMonth.KoreaOffset);
        using var http = fixture.Gateway.CreateClient();

        var put = await SendAsync(http, HttpMethod.Put, path, admin, GatewayRequests.Policy(opensAt));
        var refused = await SendAsync(http, HttpMethod.Put, path, citizen, GatewayRequests.Policy(opensAt));
        var forged = await SendAsync(http, HttpMethod.Put, path, admin[..^4] + "AAAA", GatewayRequests.Policy(opensAt));

        Assert.Equal(HttpStatusCode.OK, put);
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal(HttpStatusCode.Unauthorized, forged);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, HttpMethod method, string path, string token, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string> MintAsync(string key, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [CliPath, "token", .. args]) { RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment["Ledger__Auth__SigningKey"] = key;
        using var process = Process.Start(start)!;
        var token = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return token;
    }
}
