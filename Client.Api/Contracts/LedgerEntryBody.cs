namespace Ledger.Client.Api.Contracts;

public sealed record LedgerEntryBody(
    long Sequence, string Kind, string PurchaseId, string CitizenId, string Channel, long Amount, long Price, DateTimeOffset At);
