using Ledger.Chaos;
using Orleans.Runtime;

namespace Ledger.Silo.Tests;

/// <summary>
/// The silo hosting the sale goes away, killed (SIGKILL: no goodbye, nothing handed over) or stopped
/// (SIGTERM: Orleans' graceful shutdown), and is started again on its ports once purchases are answered again.
/// </summary>
public sealed class SiloFault(FailoverCluster cluster, bool graceful) : IChaosFault
{
    private static readonly TimeSpan ShutdownTimeoutMax = TimeSpan.FromSeconds(60);

    private SiloProcess? struck;

    public string Description { get; private set; } = graceful ? "SIGTERM of the hot silo" : "kill -9 of the hot silo";

    public TimeSpan? HoldFor => null;

    /// <summary>The struck silo's exit code, once it has exited.</summary>
    public int? ExitCode { get; private set; }

    public async Task InjectAsync(SiloAddress hotSilo)
    {
        struck = cluster.At(hotSilo);
        Description += $" (pid {struck.Id}, silo port {struck.SiloPort})";
        if (graceful)
        {
            await struck.SignalTerminateAsync();
        }
        else
        {
            await struck.KillAsync();
        }
    }

    public async Task RepairAsync()
    {
        ExitCode = await struck!.WaitForExitAsync(ShutdownTimeoutMax);
        await cluster.RestartAsync(struck);
    }
}
