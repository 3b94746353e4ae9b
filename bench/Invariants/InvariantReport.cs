namespace Ledger.Bench;

/// <summary>
/// The rules checked in the database after a run, each as a count of what breaks it: channels sold past
/// their cap, citizens past their monthly limit (by counter or by entries), counters that disagree with the
/// entries (the audit), purchases the client saw confirmed that the ledger lacks, and purchases whose
/// cancellation the ledger and the client disagree on.
/// </summary>
public sealed record InvariantReport(
    long OversoldChannels,
    long CitizensOverLimit,
    long CountersOff,
    long ConfirmedMissing,
    long CancelsOff,
    long ConfirmedSeen,
    long SoldByLedger)
{
    public bool Oversold => OversoldChannels > 0;

    public bool AuditConsistent => CountersOff == 0;

    public bool Hold => Broken().Count == 0;

    public IReadOnlyList<string> Broken()
    {
        var broken = new List<string>();
        void Check(long count, string what)
        {
            if (count != 0)
            {
                broken.Add($"{count} {what}");
            }
        }

        Check(OversoldChannels, "channels sold past their cap");
        Check(CitizensOverLimit, "citizens past the monthly limit");
        Check(CountersOff, "counters that disagree with the ledger's entries");
        Check(ConfirmedMissing, "purchases confirmed to the client but missing from the ledger");
        Check(CancelsOff, "purchases whose cancellation the ledger and the client disagree on");
        return broken;
    }
}
