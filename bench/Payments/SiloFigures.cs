namespace Ledger.Bench;

/// <summary>
/// What the silo in the bench's process reported during a round, from its meters: its batch commits (how many, the
/// items they carried, and the busiest program-month's time spent committing, whose single flusher commits one batch
/// at a time) and its requests to the payment provider (POST: withdrawals and inquiries), with their mean time; and the
/// commit transactions that carried the batches, with their mean and longest wait for a pooled connection.
/// </summary>
public sealed record SiloFigures(long Commits, long CommittedItems, double FlusherBusySeconds, long ProviderRequests, double ProviderRequestMeanMs)
{
    public long Transactions { get; init; }

    public double ConnectionWaitMeanMs { get; init; }

    public double ConnectionWaitMaxMs { get; init; }

    public double ItemsPerCommit => Commits == 0 ? 0 : (double)CommittedItems / Commits;
}
