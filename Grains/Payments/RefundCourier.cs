using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Ledger.Grains.Payments;

/// <summary>
/// Delivers the refunds owed (the payment_refunds outbox): each one a deposit under its own transfer id
/// (<see cref="TransferIdOf"/>), so delivering it again after a failure moves money at most once. For an
/// expired hold it first asks whether the provider withdrew at all, and returns the price only if it did.
/// </summary>
internal sealed partial class RefundCourier(
    PaymentStore store, IPaymentProvider provider, PaymentOptions options, TimeProvider clock, ILogger logger)
{
    /// <summary>Refunds taken in one round.</summary>
    public const int RoundMax = 200;

    /// <summary>The provider's transfer id of the refund of a purchase.</summary>
    public static string TransferIdOf(string purchaseId) => purchaseId + ".refund";

    /// <summary>Delivers what is owed, oldest first; a refund that fails stays owed for the next round.</summary>
    public async Task<int> DeliverAsync(CancellationToken cancellationToken)
    {
        var delivered = 0;
        foreach (var refund in await store.ReadOwedRefundsAsync(RoundMax, cancellationToken))
        {
            try
            {
                if (await DeliverAsync(refund, cancellationToken))
                {
                    delivered++;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogNotDelivered(logger, refund.ProgramMonth.Key, refund.PurchaseSequence, e.Message);
            }
        }

        return delivered;
    }

    private async Task<bool> DeliverAsync(OwedRefund refund, CancellationToken cancellationToken)
    {
        var purchaseId = PurchaseIds.Format(refund.ProgramMonth, refund.PurchaseSequence);
        if (refund.ForExpiry)
        {
            // A withdrawal sent before the expiry may still be on its way for one attempt's time: ask after that.
            if (clock.GetUtcNow() < refund.CreatedAt + (2 * options.AttemptTimeout))
            {
                return false;
            }

            var withdrawal = (await provider.InquireAsync([purchaseId], cancellationToken)).GetValueOrDefault(purchaseId);
            if (withdrawal?.State is TransferState.NotFound or TransferState.Refused or TransferState.IdOfAnother)
            {
                await store.SettleRefundAsync(refund, returned: false, clock.GetUtcNow(), cancellationToken);
                return true;
            }

            if (withdrawal?.State != TransferState.Done)
            {
                return false;
            }
        }

        var deposit = await provider.DepositAsync(TransferIdOf(purchaseId), refund.CitizenId, refund.Amount, cancellationToken);
        if (deposit.State != TransferState.Done)
        {
            LogRefused(logger, refund.ProgramMonth.Key, refund.PurchaseSequence, deposit.State.ToString(), deposit.Message);
            return false;
        }

        await store.SettleRefundAsync(refund, returned: true, clock.GetUtcNow(), cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Program-month {Key}: the refund of purchase {Sequence} is still owed: {Error}")]
    private static partial void LogNotDelivered(ILogger logger, string key, long sequence, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Program-month {Key}: the provider answered the refund of purchase {Sequence} with {State}: {Message}")]
    private static partial void LogRefused(ILogger logger, string key, long sequence, string state, string? message);
}
