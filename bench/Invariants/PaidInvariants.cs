using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Testing;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The invariants after a run of sales that take payment. First it waits until nothing is left pending: every hold
/// ended and every refund the run's cancels owe delivered (the silo's sweeper delivers them), giving up after
/// <see cref="SettleStallMax"/> without progress. Then each sale is audited as <see cref="PaidLedger"/> shows it to
/// the shared auditor, with what the auditor cannot see, and every citizen of the run is asked of the provider
/// (<c>GET /sandbox/payers/{citizenId}</c>): what it withdrew from them less what it returned must equal the prices
/// of their confirmed purchases not cancelled.
/// </summary>
public static class PaidInvariants
{
    /// <summary>The wait for holds and refunds to settle gives up after this long without progress.</summary>
    public static readonly TimeSpan SettleStallMax = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan SettlePoll = TimeSpan.FromMilliseconds(500);

    /// <summary>Payers asked of the provider at once.</summary>
    private const int PayerQueriesMax = 16;

    public static async Task<(InvariantReport Invariants, PaymentCheck Payments)> CheckAsync(
        NpgsqlDataSource data, PaymentSandboxProcess sandbox, Scenario scenario, IEnumerable<SeenPurchase> seen)
    {
        var settling = Stopwatch.StartNew();
        await SettleAsync(data, scenario);
        settling.Stop();

        var findings = new List<string>();
        var ledgers = new List<PaidLedger>();
        var (holdsOpen, refundsOwed, refundsDone) = (0L, 0L, 0L);
        await using (var connection = await data.OpenConnectionAsync())
        {
            foreach (var sale in scenario.Sales)
            {
                var ledger = PaidLedger.From(
                    await LedgerTables.ReadAsync(connection, sale.ProgramMonth, sale.Policy), await ReadKindsAsync(connection, sale.ProgramMonth));
                var payment = await ReadPaymentAsync(connection, sale.ProgramMonth);
                ledgers.Add(ledger);
                findings.AddRange(ledger.Findings.Select(f => $"{sale.ProgramMonth}: {f}"));
                if (payment.Held != ledger.HeldByOpenHolds || payment.OpenHolds != ledger.HoldsOpen)
                {
                    findings.Add($"{sale.ProgramMonth}: the head holds {payment.Held} in {payment.OpenHolds} open holds, " +
                        $"the entries {ledger.HeldByOpenHolds} in {ledger.HoldsOpen}");
                }

                holdsOpen += ledger.HoldsOpen;
                refundsOwed += payment.RefundsOwed;
                refundsDone += payment.RefundsDone;
            }
        }

        if (holdsOpen > 0 || refundsOwed > 0)
        {
            findings.Add($"left pending {SettleStallMax.TotalSeconds:F0} s after the last change: {holdsOpen} holds open, {refundsOwed} refunds owed");
        }

        var (payersOff, withdrawnNet) = await CheckPayersAsync(sandbox, scenario, ledgers, findings);
        var bySale = scenario.Sales.Select((s, i) => (s.ProgramMonth, Ledger: ledgers[i])).ToDictionary(s => s.ProgramMonth, s => s.Ledger);
        var audited = await SeenPurchases.AuditAsync(
            scenario,
            // A seen purchase the view does not hold (a hold that never posted) becomes sequence 0, which no entry has: a lost purchase.
            seen.Select(s => s.Renumbered(ledgers[s.SaleIndex].Renumbered.GetValueOrDefault(s.Sequence))),
            sale => Task.FromResult(bySale[sale.ProgramMonth].View));
        var payments = new PaymentCheck(
            ledgers.Sum(l => l.Holds), ledgers.Sum(l => l.Posted), ledgers.Sum(l => l.Voided), ledgers.Sum(l => l.Expired), holdsOpen,
            refundsOwed, refundsDone, scenario.Citizens.Count, payersOff, withdrawnNet, settling.Elapsed.TotalSeconds, findings);
        return (audited with { Findings = [.. audited.Findings, .. findings] }, payments);
    }

    /// <summary>Waits until no hold is open and no refund owed in the scenario's sales, or nothing changed for <see cref="SettleStallMax"/>.</summary>
    private static async Task SettleAsync(NpgsqlDataSource data, Scenario scenario)
    {
        var last = (-1L, -1L);
        var changed = Stopwatch.StartNew();
        while (true)
        {
            var left = (0L, 0L);
            await using (var connection = await data.OpenConnectionAsync())
            {
                foreach (var sale in scenario.Sales)
                {
                    var payment = await ReadPaymentAsync(connection, sale.ProgramMonth);
                    left = (left.Item1 + payment.OpenHolds, left.Item2 + payment.RefundsOwed);
                }
            }

            if (left == (0, 0) || (left == last && changed.Elapsed > SettleStallMax))
            {
                return;
            }

            if (left != last)
            {
                last = left;
                changed.Restart();
            }

            await Task.Delay(SettlePoll);
        }
    }

    /// <summary>Every citizen of the run asked of the provider; returns the payers whose money is off, and the net withdrawn from all.</summary>
    private static async Task<(long PayersOff, long WithdrawnNet)> CheckPayersAsync(
        PaymentSandboxProcess sandbox, Scenario scenario, IReadOnlyList<PaidLedger> ledgers, List<string> findings)
    {
        var owed = ledgers.SelectMany(l => l.OwedByPayer)
            .GroupBy(o => o.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(o => o.Value), StringComparer.Ordinal);
        var off = new ConcurrentQueue<string>();
        var withdrawnNet = 0L;
        await Parallel.ForEachAsync(
            scenario.Citizens.Select(c => c.CitizenId).Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = PayerQueriesMax },
            async (citizen, _) =>
            {
                var money = await sandbox.PayerAsync(citizen);
                Interlocked.Add(ref withdrawnNet, money.Net);
                if (money.Net != owed.GetValueOrDefault(citizen))
                {
                    off.Enqueue($"{citizen}: withdrawn {money.Withdrawn}, returned {money.Returned}, vouchers kept for {owed.GetValueOrDefault(citizen)}");
                }
            });
        PaidLedger.Add(findings, "payers' money differs from their vouchers", off);
        return (off.Count, withdrawnNet);
    }

    /// <summary>Each entry's kind, and for a purchase whether it takes payment (a hold).</summary>
    private static async Task<Dictionary<long, (string Kind, bool Paid)>> ReadKindsAsync(NpgsqlConnection connection, ProgramMonth sale)
    {
        await using var command = Command(connection, sale,
            "SELECT sequence, kind, payment IS NOT NULL FROM ledger_entries WHERE program_id = $1 AND month = $2");
        await using var reader = await command.ExecuteReaderAsync();
        var kinds = new Dictionary<long, (string, bool)>();
        while (await reader.ReadAsync())
        {
            kinds[reader.GetInt64(0)] = (reader.GetString(1), reader.GetBoolean(2));
        }

        return kinds;
    }

    /// <summary>The head's held amount, the open-hold table's rows, and the refunds owed and delivered.</summary>
    private static async Task<(long Held, long OpenHolds, long RefundsOwed, long RefundsDone)> ReadPaymentAsync(
        NpgsqlConnection connection, ProgramMonth sale)
    {
        await using var command = Command(connection, sale, """
            SELECT (SELECT held_mobile + held_paper FROM ledger_heads WHERE program_id = $1 AND month = $2),
                   (SELECT count(*) FROM ledger_open_holds WHERE program_id = $1 AND month = $2),
                   count(*) FILTER (WHERE state = 'pending'),
                   count(*) FILTER (WHERE state = 'done')
              FROM payment_refunds WHERE program_id = $1 AND month = $2
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, ProgramMonth sale, string sql)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = sale.ProgramId });
        command.Parameters.Add(new() { Value = sale.Month });
        return command;
    }
}
