using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains;

internal sealed class WaitingPurchase(PurchaseRequest request, Claim claim, long price)
    : PendingPurchase(claim, price), IWaitingItem
{
    public PurchaseRequest Request { get; } = request;

    public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

    public TaskCompletionSource<PurchaseResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void AnswerBusy() => Answer.TrySetResult(PurchaseResult.Of(PurchaseOutcome.Busy));

    public void Fail(Exception exception) => Answer.TrySetException(exception);
}
