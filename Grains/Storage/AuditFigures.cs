namespace Ledger.Grains.Storage;

/// <summary>The stored counters of a program-month and their recomputation from the ledger, read in one snapshot.</summary>
public sealed record AuditFigures(
    long HeadNextSequence,
    long HeadSoldMobile,
    long HeadSoldPaper,
    long LedgerSoldMobile,
    long LedgerSoldPaper,
    long Entries,
    long MaxSequence,
    long CitizensOverLimit);
