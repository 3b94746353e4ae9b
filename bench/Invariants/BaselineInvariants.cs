using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The same invariants on the baseline's own tables (baseline_*), read as a ledger for the auditor. The baseline
/// numbers its entries from one serial across sales and marks a cancelled entry with cancelled_at, so each sale's
/// purchases are numbered 1, 2, 3... in id order and each cancellation follows as an entry of its own.
/// </summary>
public static class BaselineInvariants
{
    public static async Task<InvariantReport> CheckAsync(NpgsqlDataSource dataSource, Scenario scenario, IEnumerable<SeenPurchase> seen)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var sequences = new Dictionary<long, long>();
        var readings = new List<LedgerReading>();
        foreach (var sale in scenario.Sales)
        {
            readings.Add(await ReadAsync(connection, sale, sequences));
        }

        var bySale = readings.ToDictionary(r => r.Sale);
        return await SeenPurchases.AuditAsync(
            scenario,
            // A seen id the baseline does not hold becomes sequence 0, which no entry has: a lost purchase.
            seen.Select(s => s.Renumbered(sequences.GetValueOrDefault(s.Sequence))),
            sale => Task.FromResult(bySale[sale.ProgramMonth]));
    }

    /// <param name="sequences">Filled with the sequence given to each baseline entry id.</param>
    private static async Task<LedgerReading> ReadAsync(NpgsqlConnection connection, Sale sale, Dictionary<long, long> sequences)
    {
        var purchases = new List<AuditEntry>();
        var cancelled = new List<AuditEntry>();
        await using (var command = Command(connection, sale, """
            SELECT id, citizen_id, idempotency_key, channel, amount, price, cancelled_at IS NOT NULL
              FROM baseline_entries WHERE program_id = $1 AND month = $2 ORDER BY id
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var sequence = purchases.Count + 1L;
                sequences[reader.GetInt64(0)] = sequence;
                var purchase = new AuditEntry(sequence, LedgerEntryKind.Purchase, sequence, reader.GetString(1),
                    ChannelNames.Parse(reader.GetString(3)), reader.GetInt64(4), reader.GetInt64(5), reader.GetString(2));
                purchases.Add(purchase);
                if (reader.GetBoolean(6))
                {
                    cancelled.Add(purchase);
                }
            }
        }

        var entries = purchases.Concat(cancelled.Select((p, i) => p with
        {
            Sequence = purchases.Count + i + 1L, Kind = LedgerEntryKind.Cancel, Key = null,
        })).ToArray();
        return new LedgerReading(sale.ProgramMonth, sale.Policy, entries,
            await ReadSoldAsync(connection, sale), UsedCounters: await ReadUsageAsync(connection, sale));
    }

    private static async Task<ChannelAmounts> ReadSoldAsync(NpgsqlConnection connection, Sale sale)
    {
        var sold = ChannelAmounts.Zero;
        await using var command = Command(connection, sale, "SELECT channel, sold FROM baseline_caps WHERE program_id = $1 AND month = $2");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sold = sold.Add(ChannelNames.Parse(reader.GetString(0)), reader.GetInt64(1));
        }

        return sold;
    }

    private static async Task<Dictionary<string, long>> ReadUsageAsync(NpgsqlConnection connection, Sale sale)
    {
        var used = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = Command(connection, sale,
            "SELECT citizen_id, used FROM baseline_usage WHERE program_id = $1 AND month = $2 AND used <> 0");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            used[reader.GetString(0)] = reader.GetInt64(1);
        }

        return used;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, Sale sale, string sql)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = sale.ProgramMonth.ProgramId });
        command.Parameters.Add(new() { Value = sale.ProgramMonth.Month });
        return command;
    }
}
