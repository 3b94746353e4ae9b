using System.Diagnostics;

namespace Ledger.Grains;

/// <summary>An item of the sale's queue as the grain holds it: with its caller, waiting for an answer.</summary>
internal interface IWaitingItem
{
    /// <summary>The trace of the call that queued the item, to which its batch's commit is linked.</summary>
    ActivityContext Caller { get; }

    /// <summary>Answers that the item was not done and may be tried again.</summary>
    void AnswerBusy();

    /// <summary>Answers with a failure of the infrastructure: the item's fate is unknown to this activation.</summary>
    void Fail(Exception exception);
}
