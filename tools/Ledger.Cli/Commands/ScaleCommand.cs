namespace Ledger.Cli.Commands;

/// <summary><c>scale N</c>: starts silos, or drains and stops the extra ones one at a time, while the rest keeps serving.</summary>
public static class ScaleCommand
{
    public static async Task<int> RunAsync(Clone clone, int count)
    {
        var want = LedgerSettings.SiloCount(count, 0);
        var pg = clone.RunningPostgres($"./ledger up --silos {want}");
        Ports.EnsureFree(clone.Silos.SlotsToStart(want).SelectMany(clone.Settings.SiloPorts));
        await clone.Silos.ScaleAsync(want, pg.ConnectionString("ledger"));
        Out.Say($"{clone.Silos.Running().Count} silo(s) running");
        StatusCommand.Run(clone, json: false);
        return 0;
    }
}
