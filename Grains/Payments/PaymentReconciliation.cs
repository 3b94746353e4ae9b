using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;

namespace Ledger.Grains.Payments;

/// <summary>
/// The live reconciliation of one program-month: every paid purchase's net in the ledger (the price if it stays
/// bought, 0 if it was voided or refunded) against the provider's record of its withdrawal and its refund,
/// asked by transfer id. Every mismatch is listed.
/// </summary>
internal static class PaymentReconciliation
{
    public static async Task<ReconciliationReport> RunAsync(ProgramMonth programMonth, PaymentStore store, IPaymentProvider provider)
    {
        long ledgerNet = 0, providerNet = 0, pending = 0, after = 0;
        var mismatches = new List<ReconciliationMismatch>();
        while (true)
        {
            // Two transfer ids per purchase: its withdrawal and its refund.
            var page = await store.ReadPaidPurchasesAsync(programMonth, after, IPaymentProvider.InquiryMax / 2);
            if (page.Count == 0)
            {
                break;
            }

            var ids = page.Select(p => PurchaseIds.Format(programMonth, p.Sequence)).ToArray();
            var record = await InquireAsync(provider, [.. ids, .. ids.Select(RefundCourier.TransferIdOf)]);
            for (var i = 0; i < page.Count; i++)
            {
                if (page[i].LedgerNet is not { } ledger)
                {
                    pending++;
                    continue;
                }

                var provided = DoneAmount(record, ids[i]) - DoneAmount(record, RefundCourier.TransferIdOf(ids[i]));
                ledgerNet += ledger;
                providerNet += provided;
                if (ledger != provided)
                {
                    mismatches.Add(new ReconciliationMismatch(ids[i], ledger, provided));
                }
            }

            after = page[^1].Sequence;
        }

        return new ReconciliationReport(mismatches.Count == 0, ledgerNet, providerNet, pending, mismatches);
    }

    /// <summary>The provider's record; a provider that cannot be asked makes the report unavailable, never partial.</summary>
    private static async Task<IReadOnlyDictionary<string, TransferOutcome>> InquireAsync(IPaymentProvider provider, string[] ids)
    {
        try
        {
            return await provider.InquireAsync(ids, CancellationToken.None);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or OperationCanceledException
            or Polly.Timeout.TimeoutRejectedException)
        {
            throw new LedgerUnavailableException($"The payment provider cannot be asked for its record now: {e.Message}");
        }
    }

    private static long DoneAmount(IReadOnlyDictionary<string, TransferOutcome> record, string transferId) =>
        record.GetValueOrDefault(transferId) is { State: TransferState.Done, Amount: var amount } ? amount : 0;
}
