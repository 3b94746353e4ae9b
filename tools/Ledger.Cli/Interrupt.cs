using System.Runtime.InteropServices;

namespace Ledger.Cli;

/// <summary>
/// Ctrl-C (or SIGTERM) while up starts things: the waits notice it and fail, so up stops what it started, as the
/// script's exit trap did, instead of the process dying with a half-started system behind it.
/// </summary>
public static class Interrupt
{
    private static volatile bool Requested;

    public static IDisposable[] Catch() =>
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
    ];

    public static void ThrowIfRequested()
    {
        if (Requested)
        {
            throw new UserError("interrupted", 130);
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Requested = true;
    }
}
