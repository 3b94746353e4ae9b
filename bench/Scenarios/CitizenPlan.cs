using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// What one citizen does: poll the sale's remaining cap (when <paramref name="PollsState"/>), buy
/// <paramref name="Amount"/> on <paramref name="Channel"/> (sending the same key twice at once when
/// <paramref name="DoubleTap"/>), try a second purchase on <paramref name="SecondChannel"/> (expected refused
/// over the limit), and cancel the first purchase at the end when <paramref name="Cancels"/>.
/// </summary>
public sealed record CitizenPlan(
    string CitizenId,
    int SaleIndex,
    Channel Channel,
    long Amount,
    bool PollsState,
    bool DoubleTap,
    Channel? SecondChannel,
    bool Cancels)
{
    /// <summary>The requests this plan sends.</summary>
    public int Requests => (PollsState ? 1 : 0) + (DoubleTap ? 2 : 1) + (SecondChannel is null ? 0 : 1) + (Cancels ? 1 : 0);
}
