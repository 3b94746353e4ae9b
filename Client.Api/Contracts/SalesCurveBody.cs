namespace Ledger.Client.Api.Contracts;

/// <summary>
/// A sale's curve: the cumulative net amount sold per channel, a point at the opening and then one at the
/// end of each bucket of <see cref="BucketMinutes"/> minutes (the last one at the time of the feed).
/// </summary>
public sealed record SalesCurveBody(int BucketMinutes, IReadOnlyList<SalesPointBody> Points);
