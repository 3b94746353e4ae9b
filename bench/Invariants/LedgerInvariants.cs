using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The invariants, read from the ledger's own tables (db/0003_ledger.sql) for the run's program-months:
/// ledger_heads' sold per channel against the caps, each citizen's usage summed from the entries against
/// the limit, the counters recomputed from ledger_entries (and sequences without gaps), and what the client saw.
/// </summary>
public static class LedgerInvariants
{
    private const string Sql = """
        WITH entries AS (
            SELECT e.* FROM ledger_entries e JOIN run_sales s USING (program_id, month)),
        per_citizen AS (
            SELECT program_id, month, citizen_id, sum(CASE WHEN kind = 'purchase' THEN amount ELSE -amount END) AS used
            FROM entries GROUP BY program_id, month, citizen_id),
        per_sale AS (
            SELECT s.program_id, s.month, h.next_sequence, coalesce(h.sold_mobile, 0) AS sold_mobile, coalesce(h.sold_paper, 0) AS sold_paper,
                   coalesce(sum(CASE WHEN e.channel = 'mobile' THEN CASE WHEN e.kind = 'purchase' THEN e.amount ELSE -e.amount END END), 0) AS mobile,
                   coalesce(sum(CASE WHEN e.channel = 'paper' THEN CASE WHEN e.kind = 'purchase' THEN e.amount ELSE -e.amount END END), 0) AS paper,
                   count(e.sequence) AS entries, coalesce(max(e.sequence), 0) AS max_sequence
            FROM run_sales s
            LEFT JOIN ledger_heads h USING (program_id, month)
            LEFT JOIN entries e USING (program_id, month)
            GROUP BY s.program_id, s.month, h.next_sequence, h.sold_mobile, h.sold_paper)
        SELECT
            (SELECT count(*) FILTER (WHERE h.sold_mobile > s.cap_mobile) + count(*) FILTER (WHERE h.sold_paper > s.cap_paper)
             FROM run_sales s JOIN ledger_heads h USING (program_id, month)),
            (SELECT count(*) FROM per_citizen p JOIN run_sales s USING (program_id, month) WHERE p.used > s.citizen_limit),
            (SELECT count(*) FROM per_sale
             WHERE sold_mobile IS DISTINCT FROM mobile OR sold_paper IS DISTINCT FROM paper
                OR entries <> max_sequence OR (next_sequence IS NOT NULL AND next_sequence <> max_sequence + 1)),
            (SELECT count(*) FROM run_seen r WHERE NOT EXISTS (
                SELECT 1 FROM ledger_entries e
                WHERE e.program_id = r.program_id AND e.month = r.month AND e.sequence = r.sequence AND e.kind = 'purchase'
                  AND e.citizen_id = r.citizen_id AND e.channel = r.channel AND e.amount = r.amount)),
            (SELECT count(*) FROM run_seen r WHERE r.cancelled <> EXISTS (
                SELECT 1 FROM ledger_entries e
                WHERE (e.program_id || '/' || e.month) = (r.program_id || '/' || r.month) AND e.kind = 'cancel'
                  AND e.purchase_sequence = r.sequence)),
            (SELECT count(*) FROM run_seen),
            (SELECT coalesce(sum(mobile + paper), 0) FROM per_sale)::bigint
        """;

    public static async Task<InvariantReport> CheckAsync(NpgsqlDataSource dataSource, Scenario scenario, IEnumerable<SeenPurchase> seen)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await SeenTable.LoadAsync(connection, scenario, seen);
        return await SeenTable.ReportAsync(connection, Sql);
    }

    /// <summary>
    /// The same for the runs against a running gateway, which hold no data source of their own: null, said on
    /// stderr, when the database cannot be read (the run then reports that, rather than ending without a report).
    /// </summary>
    public static async Task<InvariantReport?> TryCheckAsync(string connectionString, Scenario scenario, IEnumerable<SeenPurchase> seen)
    {
        try
        {
            await using var data = NpgsqlDataSource.Create(connectionString);
            return await CheckAsync(data, scenario, seen);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Console.Error.WriteLine($"{scenario.Name}: the invariants could not be read: {e.Message}");
            return null;
        }
    }
}
