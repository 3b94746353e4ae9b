namespace Ledger.Client.Api.Contracts;

public sealed record CitizenMonthBody(long Limit, long Used, long Remaining, IReadOnlyList<PurchaseBody> Purchases);
