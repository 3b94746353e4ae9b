using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;

namespace Ledger.Grains;

/// <summary>
/// The silo's writes to the ledger. Each program-month's grain hands it one batch at a time, and it commits the
/// batches waiting together: one transaction, one commit and one WAL flush for many program-months
/// (<see cref="LedgerStore.CommitManyAsync"/>), at most <see cref="TransactionsMax"/> transactions at once. A batch
/// is sent at once when a transaction is free, so a lone hot program-month commits as it did on its own; when every
/// program is selling, batches wait for a transaction together instead of each taking its own. Each batch is still
/// fenced by its own head and answered on its own: one refused (fenced, or a broken invariant) fails alone. The
/// program-months' refusals are written the same way, many program-months' in one statement.
/// </summary>
public sealed class SiloCommitter
{
    /// <summary>Commit transactions in flight at once: enough to keep PostgreSQL busy while one waits for its flush.</summary>
    public const int TransactionsMax = 4;

    /// <summary>Program-months whose refusals one statement writes at most.</summary>
    public const int RejectionBatchesPerWriteMax = 32;

    private readonly Coalescer<BatchCommit, CommitResult> commits;
    private readonly Coalescer<(ProgramMonth ProgramMonth, IReadOnlyList<Rejection> Rejections), bool> rejections;

    public SiloCommitter(LedgerStore store)
    {
        commits = new(store.CommitManyAsync, TransactionsMax, LedgerStore.BatchesPerTransactionMax);
        rejections = new(async batches =>
        {
            await store.RecordRejectionsAsync(batches);
            return batches.Select(_ => new Outcome<bool>(true, null)).ToArray();
        }, 1, RejectionBatchesPerWriteMax);
    }

    /// <summary>Commit transactions sent so far.</summary>
    public long Transactions => commits.Sends;

    /// <summary>Commits a batch with those waiting beside it; the result is the batch's own.</summary>
    /// <exception cref="LedgerFencedException">The head has moved on; nothing of the batch was written.</exception>
    /// <exception cref="LedgerBatchRefusedException">The database refused the batch; nothing of it was written.</exception>
    /// <exception cref="Exception">The transaction failed whole: whether it committed is unknown.</exception>
    public Task<CommitResult> CommitAsync(BatchCommit batch) => commits.SendAsync(batch);

    /// <summary>Writes a program-month's refusals with those of others waiting beside them; a failure fails them all.</summary>
    public Task WriteRejectionsAsync(ProgramMonth programMonth, IReadOnlyList<Rejection> batch) => rejections.SendAsync((programMonth, batch));
}
