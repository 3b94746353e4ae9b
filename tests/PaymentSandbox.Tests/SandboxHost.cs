using Ledger.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.PaymentSandbox.Tests;

/// <summary>The sandbox in process, on the test PostgreSQL that <c>./ledger test</c> starts.</summary>
public sealed class SandboxHost : WebApplicationFactory<Program>
{
    public static string ConnectionString =>
        TestPostgres.ConnectionString;

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.UseSetting("ConnectionStrings:Sandbox", ConnectionString);
}
