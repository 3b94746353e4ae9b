namespace Ledger.Client.Api.Contracts;

public sealed record ChannelStateBody(long Cap, long Sold, long Remaining, string Status);
