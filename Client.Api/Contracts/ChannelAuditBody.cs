namespace Ledger.Client.Api.Contracts;

public sealed record ChannelAuditBody(long Cap, long SoldByCounter, long SoldByLedger);
