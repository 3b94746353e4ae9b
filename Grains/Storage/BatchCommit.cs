using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains.Storage;

/// <summary>One program-month's batch to commit, fenced by the head its activation holds, at the instant its entries carry.</summary>
public sealed record BatchCommit(
    ProgramMonth ProgramMonth,
    LedgerHead Head,
    CommitLimits Limits,
    IReadOnlyList<PendingFollowUp> FollowUps,
    IReadOnlyList<CommitPurchase> Purchases,
    DateTimeOffset At);

/// <summary>How one batch of a transaction ended: its answers, or why the database refused it (then nothing of it was written).</summary>
public readonly record struct BatchOutcome(CommitResult? Result, Exception? Failure);
