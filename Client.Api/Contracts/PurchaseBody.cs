namespace Ledger.Client.Api.Contracts;

public sealed record PurchaseBody(
    string PurchaseId,
    string ProgramId,
    string Month,
    string CitizenId,
    string Channel,
    long Amount,
    long Price,
    string Status,
    DateTimeOffset PurchasedAt,
    long Sequence);
