using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains;

internal sealed class WaitingCancel(Purchase purchase)
    : PendingFollowUp(FollowUp.Cancel, purchase.Sequence, purchase.CitizenId, purchase.Channel, purchase.Amount), IWaitingItem
{
    public Purchase Purchase { get; } = purchase;

    public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

    public TaskCompletionSource<CancelResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void AnswerBusy() => Answer.TrySetResult(new CancelResult(CancelOutcome.Busy));

    public void Fail(Exception exception) => Answer.TrySetException(exception);
}
