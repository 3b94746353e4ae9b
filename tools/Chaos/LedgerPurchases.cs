using Ledger.Grains.Interfaces;
using Npgsql;

namespace Ledger.Chaos;

/// <summary>What PostgreSQL holds for a sale, read directly (not through the grains being tested).</summary>
/// <param name="Purchases">Every purchase entry, by sequence.</param>
/// <param name="SoldMobile">The head's mobile sold counter.</param>
public sealed record LedgerPurchases(IReadOnlyList<LedgerPurchase> Purchases, long SoldMobile)
{
    public static async Task<LedgerPurchases> ReadAsync(string connectionString, ProgramMonth sale)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var purchases = new List<LedgerPurchase>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT sequence, citizen_id, idempotency_key, amount FROM ledger_entries
             WHERE program_id = $1 AND month = $2 AND kind = 'purchase' ORDER BY sequence
            """, connection))
        {
            command.Parameters.Add(new() { Value = sale.ProgramId });
            command.Parameters.Add(new() { Value = sale.Month });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                purchases.Add(new LedgerPurchase(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }

        await using (var command = new NpgsqlCommand(
            "SELECT sold_mobile FROM ledger_heads WHERE program_id = $1 AND month = $2", connection))
        {
            command.Parameters.Add(new() { Value = sale.ProgramId });
            command.Parameters.Add(new() { Value = sale.Month });
            var sold = await command.ExecuteScalarAsync();
            return new LedgerPurchases(purchases, sold is long value ? value : 0);
        }
    }
}
