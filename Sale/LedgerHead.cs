namespace Ledger.Sale;

/// <summary>A program-month's head row: the owning epoch, the next sequence and the sold counters.</summary>
public sealed record LedgerHead(long Epoch, long NextSequence, ChannelAmounts Sold);
