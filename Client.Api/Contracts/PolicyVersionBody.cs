namespace Ledger.Client.Api.Contracts;

/// <summary>One saved version of a policy: its number (from 1), the policy, who set it (the token's <c>sub</c>) and when.</summary>
public sealed record PolicyVersionBody(long Version, PolicyBody Policy, string SetBy, DateTimeOffset SetAt);
