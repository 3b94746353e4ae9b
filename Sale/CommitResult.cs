namespace Ledger.Sale;

/// <summary>The answers of a committed batch, in the order the items were given.</summary>
public sealed record CommitResult(IReadOnlyList<CommitAnswer> Cancels, IReadOnlyList<CommitAnswer> Purchases);
