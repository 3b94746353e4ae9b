using Orleans.Runtime;

namespace Ledger.Chaos;

/// <summary>
/// The payment drill (issue 17): the bank turns unreliable (<see cref="BankFaults.Unreliable"/>), then goes down while
/// the silo hosting the sale is killed; it comes back, still unreliable, while the silo is restarted, and then its
/// faults are cleared. Holds in flight meet every ending: declined, answers lost then asked for, no word until the
/// bank is back, and a new activation resuming what the dead one was resolving.
/// </summary>
/// <param name="silo">The silo fault struck while the bank is down (a kill -9 of the hot silo, restarted at the repair).</param>
/// <param name="bankDown">How long the bank is down: the fault's hold.</param>
public sealed class PaymentsFault(IChaosFault silo, SandboxControl bank, TimeSpan bankDown) : IChaosFault
{
    /// <summary>How long the bank is unreliable before it goes down.</summary>
    public static readonly TimeSpan UnreliableBefore = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultBankDown = TimeSpan.FromSeconds(10);

    public string Description =>
        $"the bank unreliable ({BankFaults.Unreliable}) from {UnreliableBefore.TotalSeconds:F0} s before the fault until the repair, " +
        $"down for {bankDown.TotalSeconds:F0} s from it; {silo.Description}";

    public TimeSpan? HoldFor => bankDown;

    public async Task InjectAsync(SiloAddress hotSilo)
    {
        try
        {
            await bank.SetFaultsAsync(BankFaults.Unreliable);
            await Task.Delay(UnreliableBefore);
            await bank.SetFaultsAsync(BankFaults.Unreliable with { Down = true });
            await silo.InjectAsync(hotSilo);
        }
        catch
        {
            // A drill that fails to strike leaves no bank behind it broken.
            await bank.SetFaultsAsync(BankFaults.None);
            throw;
        }
    }

    /// <summary>The bank comes back (still unreliable) while the silo is restarted; then its faults are cleared.</summary>
    public async Task RepairAsync()
    {
        try
        {
            await bank.SetFaultsAsync(BankFaults.Unreliable);
            await silo.RepairAsync();
        }
        finally
        {
            await bank.SetFaultsAsync(BankFaults.None);
        }
    }
}
