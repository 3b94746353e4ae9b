using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.PaymentSandbox.Tests;

/// <summary>The sandbox in process, on the test PostgreSQL that <c>./ledger test</c> starts.</summary>
public sealed class SandboxHost : WebApplicationFactory<Program>
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
        ?? throw new InvalidOperationException(
            "LEDGER_TEST_CONNECTION is not set: run the tests with ./ledger test, which starts PostgreSQL and sets it.");

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.UseSetting("ConnectionStrings:Sandbox", ConnectionString);
}
