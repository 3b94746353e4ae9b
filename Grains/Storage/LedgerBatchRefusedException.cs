namespace Ledger.Grains.Storage;

/// <summary>
/// The database refused one program-month's batch (a broken invariant, such as a cap passed, or another error in its
/// subtransaction): nothing of the batch was written, and the other batches of its transaction were not affected.
/// </summary>
public sealed class LedgerBatchRefusedException(string sqlState, string message) : Exception(message)
{
    /// <summary>The error's SQLSTATE (LB002: a cap would be passed).</summary>
    public string SqlState { get; } = sqlState;
}
