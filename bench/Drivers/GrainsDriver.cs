using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>The grains in-process, through the citizen grain as the gateway calls them.</summary>
public sealed class GrainsDriver(IGrainFactory grains) : ILedgerDriver
{
    /// <summary>The teller selling paper vouchers, as the HTTP driver's teller token names it.</summary>
    public const string Teller = "bench-teller";

    public string Name => "grains";

    public async Task SetUpAsync(Scenario scenario)
    {
        foreach (var sale in scenario.Sales)
        {
            var set = await grains.GetCityMonth(sale.ProgramMonth).SetPolicyAsync(sale.Policy);
            if (set.Outcome != SetPolicyOutcome.Saved)
            {
                throw new InvalidOperationException($"Setting the policy of {sale.ProgramMonth} failed: {set.Outcome}.");
            }
        }
    }

    public async Task<Answer> GetStateAsync(Sale sale)
    {
        try
        {
            var snapshot = await grains.GetCityMonth(sale.ProgramMonth).GetSnapshotAsync();
            return snapshot is null ? Answer.Failed("no snapshot") : new Answer(Outcome.State);
        }
        catch (Exception e)
        {
            return Answer.Failed(e.GetType().Name);
        }
    }

    public async Task<Answer> PurchaseAsync(
        Sale sale, string citizenId, string idempotencyKey, Channel channel, long amount, string? queueTicket)
    {
        try
        {
            // Paper is sold by a teller, as over HTTP.
            var request = new PurchaseRequest(
                sale.ProgramMonth, citizenId, idempotencyKey, channel, amount, channel == Channel.Paper ? Teller : null);
            var result = await grains.GetCitizen(citizenId).PurchaseAsync(request);
            return result.Outcome switch
            {
                PurchaseOutcome.Confirmed => new Answer(Outcome.Confirmed, result.Purchase!.Sequence),
                PurchaseOutcome.SoldOut => new Answer(Outcome.SoldOut),
                PurchaseOutcome.LimitExceeded => new Answer(Outcome.LimitExceeded),
                PurchaseOutcome.Busy => new Answer(Outcome.Refused),
                var other => new Answer(Outcome.Rejected, Detail: other.ToString()),
            };
        }
        catch (Exception e)
        {
            return Answer.Failed(e.GetType().Name);
        }
    }

    public async Task<Answer> CancelAsync(Sale sale, string citizenId, long sequence)
    {
        try
        {
            var result = await grains.GetCitizen(citizenId).CancelAsync(sale.ProgramMonth, sequence);
            return result.Outcome switch
            {
                CancelOutcome.Cancelled => new Answer(Outcome.Cancelled, sequence),
                CancelOutcome.Busy => new Answer(Outcome.Refused),
                var other => Answer.Failed($"cancel {other}"),
            };
        }
        catch (Exception e)
        {
            return Answer.Failed(e.GetType().Name);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
