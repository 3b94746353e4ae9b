namespace Ledger.Client.Api.Contracts;

public sealed record AuditBody(
    bool Consistent, IReadOnlyDictionary<string, ChannelAuditBody> Channels, long CitizensOverLimit, long Entries);
