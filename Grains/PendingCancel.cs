using Ledger.Grains.Interfaces;

namespace Ledger.Grains;

internal sealed class PendingCancel(Purchase purchase) : PendingItem(purchase.CitizenId)
{
    public Purchase Purchase { get; } = purchase;

    public TaskCompletionSource<CancelResult> Answer { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void AnswerBusy() => Answer.TrySetResult(new CancelResult(CancelOutcome.Busy));

    public override void Fail(Exception exception) => Answer.TrySetException(exception);
}
