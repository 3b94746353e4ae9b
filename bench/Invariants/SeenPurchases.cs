using Ledger.Grains.Interfaces;
using Ledger.Testing;

namespace Ledger.Bench;

/// <summary>Audits each of a run's sales, as read by <c>read</c>, with the purchases the client saw confirmed in it.</summary>
public static class SeenPurchases
{
    public static async Task<InvariantReport> AuditAsync(
        Scenario scenario, IEnumerable<SeenPurchase> seen, Func<Sale, Task<LedgerReading>> read)
    {
        var bySale = seen.ToLookup(s => s.SaleIndex);
        var findings = new List<Finding>();
        var soldByLedger = 0L;
        for (var i = 0; i < scenario.Sales.Count; i++)
        {
            var ledger = await read(scenario.Sales[i]);
            var sold = ledger.SoldByEntries();
            soldByLedger += sold.Mobile + sold.Paper;
            findings.AddRange(LedgerAuditor.Audit(ledger, bySale[i].Select(ToConfirmation)));
        }

        return InvariantReport.From(findings, bySale.Sum(g => g.Count()), soldByLedger);
    }

    private static Confirmation ToConfirmation(SeenPurchase seen) =>
        new(seen.Sequence, seen.CitizenId, seen.Channel, seen.Amount, Cancelled: seen.Cancelled);
}
