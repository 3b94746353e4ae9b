namespace Ledger.Sale;

/// <summary>The answers of a committed batch, in the order the items were given.</summary>
public sealed record CommitResult(IReadOnlyList<CommitAnswer> FollowUps, IReadOnlyList<CommitAnswer> Purchases);
