using System.Globalization;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Payments;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// The grains in-process, through the citizen grain as the gateway calls them. A purchase answered pending (its
/// hold waits for the payment provider) is read again, as a buyer's app reads <c>GET /purchases/{id}</c>, until it
/// is confirmed or voided: its answer is that one, timed from the purchase.
/// </summary>
public sealed class GrainsDriver(IGrainFactory grains) : ILedgerDriver
{
    /// <summary>The teller selling paper vouchers, as the HTTP driver's teller token names it.</summary>
    public const string Teller = "bench-teller";

    /// <summary>How often a pending purchase is read again.</summary>
    public static readonly TimeSpan PendingReadInterval = TimeSpan.FromMilliseconds(200);

    private long pendingAnswers;

    public string Name => "grains";

    /// <summary>Purchases answered pending (202 over HTTP) before they settled.</summary>
    public long PendingAnswers => Interlocked.Read(ref pendingAnswers);

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

    public async Task<Answer> GetStateAsync(Sale sale, string citizenId)
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
                PurchaseOutcome.Pending => await SettledAsync(sale, result.Purchase!.Sequence),
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

    /// <summary>
    /// Reads a pending purchase until it settles, at most as long as the ledger promises to take (the hold's time
    /// and <see cref="PaymentOptions.ResolvedWithin"/>); still pending after that is an error.
    /// </summary>
    private async Task<Answer> SettledAsync(Sale sale, long sequence)
    {
        Interlocked.Increment(ref pendingAnswers);
        var city = grains.GetCityMonth(sale.ProgramMonth);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(sale.Policy.HoldSeconds) + PaymentOptions.ResolvedWithin;
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(PendingReadInterval);
            var purchase = await city.GetPurchaseAsync(sequence);
            switch (purchase?.Status)
            {
                case PurchaseStatus.Pending:
                    continue;
                case PurchaseStatus.Confirmed:
                    return new Answer(Outcome.Confirmed, sequence);
                case PurchaseStatus.Voided:
                    return new Answer(Outcome.Rejected, Detail: nameof(PurchaseOutcome.PaymentDeclined));
                case var other:
                    return Answer.Failed($"pending purchase {sequence} read as {other?.ToString() ?? "missing"}");
            }
        }

        return Answer.Failed(string.Create(CultureInfo.InvariantCulture, $"purchase {sequence} still pending past its hold's time"));
    }
}
