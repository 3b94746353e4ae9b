using Ledger.Grains.Interfaces;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench;

/// <summary>
/// Loads what the client saw into temporary tables of one session, for the invariants' SQL: the run's sales
/// (caps and limit) as <c>run_sales</c>, and the purchases confirmed to the client as <c>run_seen</c>.
/// </summary>
public static class SeenTable
{
    public static async Task LoadAsync(NpgsqlConnection connection, Scenario scenario, IEnumerable<SeenPurchase> seen)
    {
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE run_sales (program_id text, month text, cap_mobile bigint, cap_paper bigint, citizen_limit bigint,
                PRIMARY KEY (program_id, month));
            CREATE TEMP TABLE run_seen (program_id text, month text, sequence bigint, citizen_id text, channel text,
                amount bigint, cancelled boolean);
            """, connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using (var sales = await connection.BeginBinaryImportAsync("COPY run_sales FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (programMonth, policy) in scenario.Sales)
            {
                await sales.WriteRowAsync(default, programMonth.ProgramId, programMonth.Month, policy.Caps.Mobile,
                    policy.Caps.Paper, policy.CitizenMonthlyLimit);
            }

            await sales.CompleteAsync();
        }

        await using (var purchases = await connection.BeginBinaryImportAsync("COPY run_seen FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var purchase in seen)
            {
                var programMonth = scenario.Sales[purchase.SaleIndex].ProgramMonth;
                await purchases.StartRowAsync();
                await purchases.WriteAsync(programMonth.ProgramId, NpgsqlDbType.Text);
                await purchases.WriteAsync(programMonth.Month, NpgsqlDbType.Text);
                await purchases.WriteAsync(purchase.Sequence, NpgsqlDbType.Bigint);
                await purchases.WriteAsync(purchase.CitizenId, NpgsqlDbType.Text);
                await purchases.WriteAsync(purchase.Channel.ToName(), NpgsqlDbType.Text);
                await purchases.WriteAsync(purchase.Amount, NpgsqlDbType.Bigint);
                await purchases.WriteAsync(purchase.Cancelled, NpgsqlDbType.Boolean);
            }

            await purchases.CompleteAsync();
        }

        await using var analyze = new NpgsqlCommand("ANALYZE run_sales; ANALYZE run_seen", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query of one row of counts, in the order of <see cref="InvariantReport"/>'s parameters.</summary>
    public static async Task<InvariantReport> ReportAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new InvariantReport(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6));
    }
}
