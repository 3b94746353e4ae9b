using Npgsql;

namespace Ledger.Bench;

/// <summary>The same invariants on the baseline's own tables (baseline_*; a cancelled entry carries cancelled_at).</summary>
public static class BaselineInvariants
{
    private const string Sql = """
        WITH entries AS (
            SELECT e.* FROM baseline_entries e JOIN run_sales s USING (program_id, month) WHERE e.cancelled_at IS NULL),
        per_citizen AS (
            SELECT program_id, month, citizen_id, sum(amount) AS used FROM entries GROUP BY program_id, month, citizen_id),
        counters AS (
            SELECT u.* FROM baseline_usage u JOIN run_sales s USING (program_id, month) WHERE u.used <> 0),
        per_channel AS (
            SELECT c.program_id, c.month, c.channel, c.sold, coalesce(sum(e.amount), 0) AS by_entries
            FROM baseline_caps c JOIN run_sales s USING (program_id, month)
            LEFT JOIN entries e USING (program_id, month, channel)
            GROUP BY c.program_id, c.month, c.channel, c.sold)
        SELECT
            (SELECT count(*) FROM baseline_caps c JOIN run_sales s USING (program_id, month)
             WHERE c.sold > CASE c.channel WHEN 'mobile' THEN s.cap_mobile ELSE s.cap_paper END),
            (SELECT count(*) FROM per_citizen p JOIN run_sales s USING (program_id, month) WHERE p.used > s.citizen_limit)
              + (SELECT count(*) FROM counters c JOIN run_sales s USING (program_id, month) WHERE c.used > s.citizen_limit),
            (SELECT count(*) FROM per_channel WHERE sold <> by_entries)
              + (SELECT count(*) FROM per_citizen p FULL JOIN counters c USING (program_id, month, citizen_id)
                 WHERE coalesce(p.used, 0) <> coalesce(c.used, 0)),
            (SELECT count(*) FROM run_seen r WHERE NOT EXISTS (
                SELECT 1 FROM baseline_entries e
                WHERE e.id = r.sequence AND e.program_id = r.program_id AND e.month = r.month
                  AND e.citizen_id = r.citizen_id AND e.channel = r.channel AND e.amount = r.amount)),
            (SELECT count(*) FROM run_seen r JOIN baseline_entries e ON e.id = r.sequence
             WHERE r.cancelled <> (e.cancelled_at IS NOT NULL)),
            (SELECT count(*) FROM run_seen),
            (SELECT coalesce(sum(sold), 0) FROM per_channel)::bigint
        """;

    public static async Task<InvariantReport> CheckAsync(NpgsqlDataSource dataSource, Scenario scenario, IEnumerable<SeenPurchase> seen)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await SeenTable.LoadAsync(connection, scenario, seen);
        return await SeenTable.ReportAsync(connection, Sql);
    }
}
