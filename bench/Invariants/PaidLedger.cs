using Ledger.Grains.Interfaces;
using Ledger.Testing;

namespace Ledger.Bench;

/// <summary>
/// One program-month that takes payment, read for the shared auditor, which knows purchases and cancels only: a
/// hold that posted shows as a purchase, a hold that did not and every hold's ending are left out, and what is kept
/// is numbered 1, 2, 3... (as <see cref="BaselineInvariants"/> numbers the baseline's entries). Beside that, what
/// the auditor cannot see: the real sequences run without a gap, each ending names a hold and each hold ends once,
/// and what each payer should have paid net: the prices of their posted holds not cancelled.
/// </summary>
/// <param name="View">The ledger as the auditor reads a sale without payment.</param>
/// <param name="Renumbered">Each purchase kept, from its real sequence to its sequence in <paramref name="View"/>.</param>
/// <param name="OwedByPayer">The prices each payer kept: posted, not cancelled.</param>
/// <param name="Findings">What is broken that the auditor cannot see, one line per kind with an example.</param>
public sealed record PaidLedger(
    LedgerReading View,
    IReadOnlyDictionary<long, long> Renumbered,
    IReadOnlyDictionary<string, long> OwedByPayer,
    long Holds,
    long Posted,
    long Voided,
    long Expired,
    long HoldsOpen,
    long HeldByOpenHolds,
    IReadOnlyList<string> Findings)
{
    public const string Purchase = "purchase";
    public const string Cancel = "cancel";
    public const string Post = "post";

    private static readonly string[] Endings = [Post, "void", "expire"];

    /// <param name="reading">The program-month as <see cref="LedgerTables"/> reads it (an ending reads as a cancel there).</param>
    /// <param name="kinds">Each entry's real kind, and for a purchase whether it is a hold (it takes payment).</param>
    public static PaidLedger From(LedgerReading reading, IReadOnlyDictionary<long, (string Kind, bool Paid)> kinds)
    {
        var findings = new List<string>();
        var entries = reading.Entries;
        if (entries.Where((e, i) => e.Sequence != i + 1).FirstOrDefault() is { } astray)
        {
            findings.Add($"the sequences do not run 1, 2, 3... without a gap: {astray}");
        }

        if (reading.NextSequence is { } next && next != entries.Count + 1)
        {
            findings.Add($"the head's next sequence is {next}, the entries end at {entries.Count}");
        }

        (string Kind, bool Paid) KindOf(AuditEntry entry) => kinds.GetValueOrDefault(entry.Sequence, ("unknown", false));
        var holds = entries.Where(e => KindOf(e) == (Purchase, true)).ToDictionary(e => e.Sequence);
        var endings = entries.Where(e => Endings.Contains(KindOf(e).Kind)).ToArray();
        string Described(AuditEntry e) => $"#{e.Sequence} {KindOf(e).Kind} of #{e.PurchaseSequence} by {e.CitizenId}";
        Add(findings, "endings name no hold", endings.Where(e => !holds.ContainsKey(e.PurchaseSequence)).Select(Described));
        Add(findings, "holds end more than once",
            endings.GroupBy(e => e.PurchaseSequence).Where(g => g.Count() > 1).Select(g => Described(g.Last())));
        var endingOf = endings.DistinctBy(e => e.PurchaseSequence).ToDictionary(e => e.PurchaseSequence, e => KindOf(e).Kind);
        var open = holds.Values.Where(h => !endingOf.ContainsKey(h.Sequence)).ToArray();

        var kept = entries.Where(e => KindOf(e) switch
        {
            (Cancel, _) => true,
            (Purchase, false) => true,
            (Purchase, true) => endingOf.GetValueOrDefault(e.Sequence) == Post,
            _ => false,
        }).ToArray();
        var renumbered = kept.Select((e, i) => (e.Sequence, New: i + 1L)).ToDictionary(r => r.Sequence, r => r.New);
        var view = kept.Select((e, i) => e with { Sequence = i + 1L, PurchaseSequence = renumbered.GetValueOrDefault(e.PurchaseSequence) }).ToArray();

        var cancelled = kept.Where(e => KindOf(e).Kind == Cancel).Select(e => e.PurchaseSequence).ToHashSet();
        var owed = holds.Values
            .Where(h => endingOf.GetValueOrDefault(h.Sequence) == Post && !cancelled.Contains(h.Sequence))
            .GroupBy(h => h.CitizenId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(h => h.Price), StringComparer.Ordinal);
        return new PaidLedger(
            reading with { Entries = view, NextSequence = view.Length + 1 },
            renumbered, owed, holds.Count, endingOf.Values.Count(k => k == Post), endingOf.Values.Count(k => k == "void"),
            endingOf.Values.Count(k => k == "expire"), open.Length, open.Sum(h => h.Amount), findings);
    }

    /// <summary>One finding for what breaks a promise: how many, and the first as the example.</summary>
    public static void Add(List<string> findings, string what, IEnumerable<string> broken)
    {
        var all = broken.ToArray();
        if (all.Length > 0)
        {
            findings.Add($"{all.Length} {what}, e.g. {all[0]}");
        }
    }
}
