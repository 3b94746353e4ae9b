namespace Ledger.Grains.Storage;

/// <summary>
/// A commit named an epoch or sequence that the head no longer has: a newer activation of the
/// program-month grain owns the ledger. Nothing of the commit was written.
/// </summary>
public sealed class LedgerFencedException(string message, Exception inner) : Exception(message, inner);
