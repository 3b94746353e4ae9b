using Ledger.Testing;

namespace Ledger.Bench;

/// <summary>
/// What the auditor (Ledger.Testing's <see cref="LedgerAuditor"/>) found after a run, over all its sales, each
/// as a count of findings: channels sold past their cap, citizens past their monthly limit, counters (or
/// sequences) that disagree with the entries, purchases the client saw confirmed that the ledger lacks or holds
/// otherwise, cancellations the ledger and the client disagree on (or that name no purchase), keys bought twice.
/// </summary>
/// <param name="Findings">One line per invariant broken, with an example (<see cref="Finding.Summarize"/>).</param>
public sealed record InvariantReport(
    long OversoldChannels,
    long CitizensOverLimit,
    long CountersOff,
    long ConfirmedMissing,
    long CancelsOff,
    long ConfirmedSeen,
    long SoldByLedger,
    long KeysReused,
    IReadOnlyList<string> Findings)
{
    public bool Oversold => OversoldChannels > 0;

    public bool AuditConsistent => CountersOff == 0;

    public bool Hold => Findings.Count == 0;

    public static InvariantReport From(IReadOnlyList<Finding> findings, long confirmedSeen, long soldByLedger)
    {
        long Count(params Invariant[] invariants) => findings.Count(f => invariants.Contains(f.Invariant));
        return new InvariantReport(
            Count(Invariant.SoldWithinCap),
            Count(Invariant.UsageWithinLimit),
            Count(Invariant.CountersMatchEntries, Invariant.GaplessSequences),
            Count(Invariant.ConfirmedInLedger),
            Count(Invariant.CancelsAsTold, Invariant.CancelsNamePurchasesOnce),
            confirmedSeen,
            soldByLedger,
            Count(Invariant.KeyBuysOnce),
            Finding.Summarize(findings));
    }

    public IReadOnlyList<string> Broken() => Findings;
}
