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

/// <summary>
/// How one request of many sent together ended: its result, or why it failed. For a batch of a commit, a failure
/// means the database refused it and nothing of it was written.
/// </summary>
public readonly record struct Outcome<TResult>(TResult? Result, Exception? Failure);
