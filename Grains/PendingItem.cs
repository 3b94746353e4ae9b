using System.Diagnostics;

namespace Ledger.Grains;

/// <summary>A purchase or cancel admitted by the program-month grain and waiting for its batch to commit.</summary>
internal abstract class PendingItem(string citizenId)
{
    public string CitizenId { get; } = citizenId;

    /// <summary>The trace of the call that queued the item, to which its batch's commit is linked.</summary>
    public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

    /// <summary>Answers that the item was not done and may be tried again.</summary>
    public abstract void AnswerBusy();

    /// <summary>Answers with a failure of the infrastructure: the item's fate is unknown to this activation.</summary>
    public abstract void Fail(Exception exception);
}
