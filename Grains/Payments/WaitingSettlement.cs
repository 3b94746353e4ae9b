using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains.Payments;

/// <summary>A hold's ending waiting for its batch; the payment desk awaits the database's answer.</summary>
internal sealed class WaitingSettlement(FollowUp kind, OpenHold hold, string? reason)
    : PendingFollowUp(kind, hold.Sequence, hold.CitizenId, hold.Channel, hold.Amount, reason), IWaitingItem
{
    public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

    public TaskCompletionSource<CommitAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void AnswerBusy() => Answer.TrySetException(new LedgerUnavailableException("The sale stopped before the hold's ending was written."));

    public void Fail(Exception exception) => Answer.TrySetException(exception);
}
