namespace Ledger.Sale;

/// <summary>What the database answered for one item of a batch (see ledger_commit in db/0005_payments.sql).</summary>
public enum CommitOutcome
{
    Confirmed,
    Duplicate,
    Conflict,
    LimitExceeded,
    Cancelled,
    Posted,
    Voided,
    Expired,

    /// <summary>The key was refused before: the stored refusal is the answer (<see cref="CommitAnswer.RejectedAs"/>).</summary>
    Rejected,
}
