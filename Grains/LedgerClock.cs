namespace Ledger.Grains;

/// <summary>
/// The ledger reads the time from the <see cref="TimeProvider"/> registered under <see cref="Key"/>, not
/// the unkeyed one that Orleans itself uses, so tests can move the ledger's clock without moving Orleans' timers.
/// </summary>
public static class LedgerClock
{
    public const string Key = "ledger";
}
