namespace Ledger.Client.Api.Contracts;

/// <summary>The cumulative net amount sold per channel at an instant (KST).</summary>
public sealed record SalesPointBody(DateTimeOffset At, long Mobile, long Paper);
