using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Npgsql;

namespace Ledger.Testing;

/// <summary>
/// Reads a program-month that takes payment straight from PostgreSQL (db/0005_payments.sql), not through the grains
/// being checked: every entry with its real kind and time, the head's sold and held counters, the open-hold table
/// and the refund outbox.
/// </summary>
public static class PaymentTables
{
    public static async Task<PaymentReading> ReadAsync(string connectionString, ProgramMonth sale, Policy policy)
    {
        await using var data = NpgsqlDataSource.Create(connectionString);
        await using var connection = await data.OpenConnectionAsync();
        var (entries, writtenAt) = await ReadEntriesAsync(connection, sale);
        var open = new HashSet<long>();
        await using (var command = Command(connection, sale, "SELECT sequence FROM ledger_open_holds WHERE program_id = $1 AND month = $2"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                open.Add(reader.GetInt64(0));
            }
        }

        var refunds = new Dictionary<long, string>();
        await using (var command = Command(connection, sale,
            "SELECT purchase_sequence, state FROM payment_refunds WHERE program_id = $1 AND month = $2"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                refunds[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        await using (var command = Command(connection, sale,
            "SELECT sold_mobile, sold_paper, held_mobile, held_paper, next_sequence FROM ledger_heads WHERE program_id = $1 AND month = $2"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var reading = new PaymentReading(sale, policy, entries, writtenAt, open, refunds);
            return await reader.ReadAsync()
                ? reading with
                {
                    SoldCounters = new ChannelAmounts(reader.GetInt64(0), reader.GetInt64(1)),
                    HeldCounters = new ChannelAmounts(reader.GetInt64(2), reader.GetInt64(3)),
                    NextSequence = reader.GetInt64(4),
                }
                : reading;
        }
    }

    /// <summary>
    /// What is still in motion in a program-month: holds open and refunds owed, and when its last hold was taken
    /// (null when it has none).
    /// </summary>
    public static async Task<(long OpenHolds, long RefundsOwed, DateTimeOffset? LastHoldAt)> ReadUnsettledAsync(
        string connectionString, ProgramMonth sale)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sale, """
            SELECT (SELECT count(*) FROM ledger_open_holds WHERE program_id = $1 AND month = $2),
                   (SELECT count(*) FROM payment_refunds WHERE program_id = $1 AND month = $2 AND state = 'pending'),
                   (SELECT max(at) FROM ledger_entries
                     WHERE program_id = $1 AND month = $2 AND kind = 'purchase' AND payment IS NOT NULL)
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    private static async Task<(List<AuditEntry>, Dictionary<long, DateTimeOffset>)> ReadEntriesAsync(NpgsqlConnection connection, ProgramMonth sale)
    {
        var entries = new List<AuditEntry>();
        var writtenAt = new Dictionary<long, DateTimeOffset>();
        await using var command = Command(connection, sale, """
            SELECT sequence, CASE WHEN kind = 'purchase' AND payment IS NOT NULL THEN 'hold' ELSE kind END, purchase_sequence,
                   citizen_id, channel, amount, price, idempotency_key, sold_by, at
              FROM ledger_entries WHERE program_id = $1 AND month = $2 ORDER BY sequence
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var soldBy = reader.IsDBNull(8) ? null : reader.GetString(8);
            // A teller's key is stored scoped to the teller, as "{teller} {key}" (db/0003_ledger.sql).
            var key = reader.IsDBNull(7) ? null : reader.GetString(7);
            // The kinds as the ledger's pages name them: purchase, hold, cancel, post, void, expire.
            entries.Add(new AuditEntry(
                reader.GetInt64(0), Enum.Parse<LedgerEntryKind>(reader.GetString(1), ignoreCase: true), reader.GetInt64(2),
                reader.GetString(3), ChannelNames.Parse(reader.GetString(4)), reader.GetInt64(5), reader.GetInt64(6),
                soldBy is not null && key is not null ? key[(soldBy.Length + 1)..] : key, soldBy));
            writtenAt[reader.GetInt64(0)] = reader.GetFieldValue<DateTimeOffset>(9);
        }

        return (entries, writtenAt);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, ProgramMonth sale, string sql)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = sale.ProgramId });
        command.Parameters.Add(new() { Value = sale.Month });
        return command;
    }
}
