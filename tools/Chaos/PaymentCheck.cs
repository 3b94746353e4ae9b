using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Chaos;

/// <summary>
/// The money side of a chaos run on a sale that takes payment: it waits until nothing is in motion (no hold open, no
/// refund owed), at most as long as the contract allows, then reads the ledger past the grains and every payer's
/// figures from the provider for the payment auditor, and asks the grain for its reconciliation.
/// </summary>
public sealed class PaymentCheck(string connectionString, ChaosPayments payments, Action<string> log)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Waits until no hold of <paramref name="sale"/> is open and no refund owed; gives up on open holds once the last
    /// hold's time and the minute past it are over, and on refunds a minute after that.
    /// </summary>
    /// <returns>How long it waited.</returns>
    public async Task<TimeSpan> WaitSettledAsync(ProgramMonth sale)
    {
        var waited = Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            var (open, owed, lastHoldAt) = await PaymentTables.ReadUnsettledAsync(connectionString, sale);
            if (open == 0 && owed == 0)
            {
                return waited.Elapsed;
            }

            var holdsDue = (lastHoldAt ?? DateTimeOffset.UtcNow) + TimeSpan.FromSeconds(payments.HoldSeconds) + PaymentAuditor.ResolvedWithin;
            var now = DateTimeOffset.UtcNow;
            if ((open > 0 && now > holdsDue) || now > holdsDue + PaymentAuditor.ResolvedWithin)
            {
                log($"still {open} holds open and {owed} refunds owed at {now:HH:mm:ss}; the last hold was due to end by {holdsDue:HH:mm:ss}");
                return waited.Elapsed;
            }

            if (!said)
            {
                log($"waiting for {open} holds to end and {owed} refunds to be delivered (holds due by {holdsDue:HH:mm:ss})");
                said = true;
            }

            await Task.Delay(Poll);
        }
    }

    /// <returns>The ledger as read, the figures for the report, and each broken promise in words.</returns>
    public async Task<(PaymentReading Ledger, PaymentFigures Figures, List<string> Problems)> JudgeAsync(
        ProgramMonth sale, Policy policy, ICityMonthGrain city, IReadOnlyCollection<RetryingClient> clients, TimeSpan settledAfter)
    {
        var ledger = await PaymentTables.ReadAsync(connectionString, sale, policy);
        using var bank = new SandboxControl(payments.Sandbox);
        var payers = await bank.PayersAsync(clients.Select(c => c.Request.CitizenId).Concat(ledger.Entries.Select(e => e.CitizenId)));
        var problems = Finding.Summarize(PaymentAuditor.Audit(
            ledger, payers, clients.SelectMany(c => c.Confirmations), clients.Select(c => c.Answer).ToArray())).ToList();
        ReconciliationReport? reconciliation = null;
        try
        {
            reconciliation = await city.ReconcileAsync();
        }
        catch (Exception e)
        {
            problems.Add($"the reconciliation could not run: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }

        if (reconciliation is { Consistent: false } or { Pending: > 0 })
        {
            problems.Add($"the reconciliation is not settled and consistent: pending {reconciliation.Pending}, " +
                $"{reconciliation.Mismatches.Count} mismatches, e.g. {string.Join(", ", reconciliation.Mismatches.Take(3))}");
        }

        return (ledger, Figures(ledger, payers, clients, settledAfter, reconciliation), problems);
    }

    private PaymentFigures Figures(
        PaymentReading ledger, IReadOnlyDictionary<string, PayerMoney> payers, IReadOnlyCollection<RetryingClient> clients,
        TimeSpan settledAfter, ReconciliationReport? reconciliation)
    {
        var holds = ledger.Holds();
        var checks = PaymentAuditor.CheckPayers(ledger, payers);
        return new PaymentFigures(
            payments.HoldSeconds, holds.Count,
            holds.Count(h => h.Ending == LedgerEntryKind.Post), holds.Count(h => h.Ending == LedgerEntryKind.Void),
            holds.Count(h => h.Ending == LedgerEntryKind.Expire), holds.Count(h => h.Ending is null),
            holds.Select(h => h.OpenFor ?? (DateTimeOffset.UtcNow - h.TakenAt)).DefaultIfEmpty().Max(), clients.Sum(c => c.Pending),
            payers.Count, checks.Count(c => c.MoneyDiffers), checks.Count(c => c.ChargedTwice),
            payers.Values.Sum(p => p.Withdrawn), payers.Values.Sum(p => p.Returned), checks.Sum(c => c.Owed),
            ledger.Refunds.Count(r => r.Value == "pending"), ledger.Refunds.Count(r => r.Value == "done"),
            settledAfter, reconciliation);
    }
}
