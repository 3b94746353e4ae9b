namespace Ledger.Sale;

/// <summary>What the database answered for one item of a batch (see ledger_commit in db/0003_ledger.sql).</summary>
public enum CommitOutcome
{
    Confirmed,
    Duplicate,
    Conflict,
    LimitExceeded,
    Cancelled,
}
