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
    long CitizensOverLimit)
{
    public long HeadHeldMobile { get; init; }

    public long HeadHeldPaper { get; init; }

    public long LedgerHeldMobile { get; init; }

    public long LedgerHeldPaper { get; init; }

    /// <summary>Holds open by the ledger but missing from ledger_open_holds, or the other way round.</summary>
    public long OpenHoldsAstray { get; init; }
}
