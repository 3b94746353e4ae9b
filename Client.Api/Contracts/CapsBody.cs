namespace Ledger.Client.Api.Contracts;

/// <summary>The caps per channel, in won: <c>{"mobile":5900000000,"paper":1900000000}</c>.</summary>
public sealed record CapsBody(long? Mobile, long? Paper);
