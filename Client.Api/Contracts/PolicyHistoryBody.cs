namespace Ledger.Client.Api.Contracts;

/// <summary><c>GET .../policy-history</c>: every saved version of the policy, oldest first.</summary>
public sealed record PolicyHistoryBody(IReadOnlyList<PolicyVersionBody> Versions);
