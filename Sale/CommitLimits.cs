namespace Ledger.Sale;

/// <summary>The limit and caps a batch must stay within; the database re-checks them at commit.</summary>
public sealed record CommitLimits(long CitizenMonthlyLimit, ChannelAmounts Caps);
