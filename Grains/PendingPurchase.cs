using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;

namespace Ledger.Grains;

internal sealed class PendingPurchase(PurchaseRequest request, long price) : PendingItem(request.CitizenId)
{
    public PurchaseRequest Request { get; } = request;

    /// <summary>The request's key as the ledger stores it (<see cref="PurchaseRequests.ScopedKey"/>).</summary>
    public string Key { get; } = request.ScopedKey();

    public CommitPurchase ToCommit() =>
        new(Request.CitizenId, Key, Request.Channel, Request.Amount, price, Request.SoldBy);

    public TaskCompletionSource<PurchaseResult> Answer { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void AnswerBusy() => Answer.TrySetResult(PurchaseResult.Of(PurchaseOutcome.Busy));

    public override void Fail(Exception exception) => Answer.TrySetException(exception);
}
