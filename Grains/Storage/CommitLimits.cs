using Ledger.Grains.Interfaces;

namespace Ledger.Grains.Storage;

/// <summary>The limit and caps a batch must stay within; the database re-checks them at commit.</summary>
public sealed record CommitLimits(long CitizenMonthlyLimit, ChannelAmounts Caps);
