using Ledger.Grains.Interfaces;
using Npgsql;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// Reads program-months straight from PostgreSQL (ledger_entries and ledger_heads), not through the grains being
/// checked: the entries with their keys and sellers, and the head's counters.
/// </summary>
public static class LedgerTables
{
    public static async Task<LedgerReading> ReadAsync(NpgsqlDataSource data, ProgramMonth sale, Policy policy)
    {
        await using var connection = await data.OpenConnectionAsync();
        return await ReadAsync(connection, sale, policy);
    }

    public static async Task<LedgerReading> ReadAsync(string connectionString, ProgramMonth sale, Policy policy)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        return await ReadAsync(data, sale, policy);
    }

    public static async Task<LedgerReading> ReadAsync(NpgsqlConnection connection, ProgramMonth sale, Policy policy)
    {
        var entries = new List<AuditEntry>();
        await using (var command = Command(connection, sale, """
            SELECT sequence, kind, purchase_sequence, citizen_id, channel, amount, price, idempotency_key, sold_by
              FROM ledger_entries WHERE program_id = $1 AND month = $2 ORDER BY sequence
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var soldBy = reader.IsDBNull(8) ? null : reader.GetString(8);
                entries.Add(new AuditEntry(
                    reader.GetInt64(0),
                    reader.GetString(1) == "purchase" ? LedgerEntryKind.Purchase : LedgerEntryKind.Cancel,
                    reader.GetInt64(2), reader.GetString(3), ChannelNames.Parse(reader.GetString(4)),
                    reader.GetInt64(5), reader.GetInt64(6),
                    reader.IsDBNull(7) ? null : KeyAsSent(reader.GetString(7), soldBy), soldBy));
            }
        }

        await using (var command = Command(connection, sale,
            "SELECT sold_mobile, sold_paper, next_sequence FROM ledger_heads WHERE program_id = $1 AND month = $2"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            return await reader.ReadAsync()
                ? new LedgerReading(sale, policy, entries, new ChannelAmounts(reader.GetInt64(0), reader.GetInt64(1)), reader.GetInt64(2))
                : new LedgerReading(sale, policy, entries, ChannelAmounts.Zero, NextSequence: entries.Count == 0 ? null : 0);
        }
    }

    // A teller's key is stored scoped to the teller, as "{teller} {key}" (db/0003_ledger.sql).
    private static string KeyAsSent(string stored, string? soldBy) =>
        soldBy is not null && stored.StartsWith(soldBy + " ", StringComparison.Ordinal) ? stored[(soldBy.Length + 1)..] : stored;

    private static NpgsqlCommand Command(NpgsqlConnection connection, ProgramMonth sale, string sql)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = sale.ProgramId });
        command.Parameters.Add(new() { Value = sale.Month });
        return command;
    }
}
