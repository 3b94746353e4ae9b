using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Testing;

namespace Ledger.OpenApi.Tests;

/// <summary>
/// A TypeScript client generated from the document the gateway serves (openapi-typescript, with openapi-fetch), and
/// compiled with <c>tsc --strict</c> with no hand fix, calls every endpoint of the live gateway as the types say
/// (client/client.ts): a citizen buys without <c>citizenId</c>, a teller with it, pages are asked by whole numbers.
/// </summary>
[Collection(OpenApiCollection.Name)]
[Trait("Category", TestCategories.Process)]
public sealed class GeneratedClientTests(OpenApiFixture fixture)
{
    private static readonly TimeSpan StepTimeMax = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_client_generated_from_the_document_compiles_strictly_and_calls_every_endpoint()
    {
        var now = fixture.Gateway.Ledger.Clock.GetUtcNow();
        var gateway = fixture.Gateway;

        var generated = await NodeTools.RunToolAsync(
            "openapi-typescript", [fixture.DocumentPath, "-o", NodeTools.InClient("generated", "schema.d.ts")], StepTimeMax);
        Assert.True(generated.ExitCode == 0, generated.Output);
        var compiled = await NodeTools.RunToolAsync("tsc", ["-p", "."], StepTimeMax);
        Assert.True(compiled.ExitCode == 0, $"The client does not compile against the document:\n{compiled.Output}");
        var run = await NodeTools.RunAsync("node", [NodeTools.InClient("dist", "client.js")], StepTimeMax, new Dictionary<string, string>
        {
            ["LEDGER_URL"] = fixture.GatewayUrl.ToString().TrimEnd('/'),
            ["LEDGER_ADMIN_TOKEN"] = gateway.Token("oa-admin", [LedgerAuth.AdminRole]),
            ["LEDGER_CITIZEN_TOKEN"] = gateway.Token($"c{Guid.NewGuid():N}", []),
            ["LEDGER_TELLER_TOKEN"] = gateway.Token("oa-teller", [LedgerAuth.TellerRole]),
            ["LEDGER_PROGRAM"] = $"oa-client-{Guid.NewGuid():N}"[..20],
            ["LEDGER_MONTH"] = ProgramMonth.MonthOf(now),
            ["LEDGER_OPENS_AT"] = now.AddMinutes(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("20 passed, 0 failed", run.Output, StringComparison.Ordinal);
    }
}
