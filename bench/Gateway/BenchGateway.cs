using Ledger.Client.Api;

namespace Ledger.Bench.Gateway;

/// <summary>
/// The gateway that the benchmark measures its floors against: the real one (<see cref="LedgerGateway"/>), with
/// <see cref="BenchApi"/>'s endpoints beside the ledger's. Its Orleans client finds the probe grain's interface in
/// the assemblies this host references. A class with a Main rather than top-level statements, so that it adds no
/// second <c>Program</c> beside the gateway's; not static, so that tests can host it (<c>WebApplicationFactory</c>).
/// </summary>
public sealed class BenchGateway
{
    private BenchGateway()
    {
    }

    public static async Task<int> Main(string[] args)
    {
        var app = LedgerGateway.Build(args, ledger => ledger.MapBenchApi());
        await app.RunAsync();
        return Environment.ExitCode;
    }
}
