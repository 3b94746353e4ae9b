namespace Ledger.Grains.Payments;

/// <summary>
/// The payment provider, as the ledger uses it: a withdrawal from the payer's account and a deposit back to it,
/// each under the caller's own transfer id (which moves money at most once, whatever is retried), and the
/// result inquiry for transfers whose answer was lost. <see cref="OpenBankingProvider"/> speaks the Korean
/// open-banking shape to the sandbox or a real provider.
/// </summary>
/// <remarks>
/// An answer is the provider's word. No answer (a timeout, a refused connection, a 5xx) is an exception: the
/// transfer may or may not have happened, and only an inquiry can tell.
/// </remarks>
public interface IPaymentProvider
{
    Task<TransferOutcome> WithdrawAsync(string transferId, string payer, long amount, CancellationToken cancellationToken);

    Task<TransferOutcome> DepositAsync(string transferId, string payer, long amount, CancellationToken cancellationToken);

    /// <summary>The provider's record of each transfer, by id (at most <see cref="InquiryMax"/> at once).</summary>
    Task<IReadOnlyDictionary<string, TransferOutcome>> InquireAsync(
        IReadOnlyCollection<string> transferIds, CancellationToken cancellationToken);

    const int InquiryMax = 100;
}
