using Ledger.Grains.Interfaces;
using Npgsql;

namespace Ledger.Client.Api.Sales;

/// <summary>
/// What the sales page reads straight from the ledger tables (db/0003_ledger.sql): which program-months
/// of a month have a head (a policy was set), and the net amount sold per minute after a sequence. Both
/// are bounded reads on primary keys; the gateway's own small pool keeps them from crowding the silos.
/// </summary>
public sealed class SalesLedger(NpgsqlDataSource dataSource)
{
    /// <summary>Connections the gateway opens for the sales page: the board refreshes one read at a time.</summary>
    public const int ConnectionsMax = 2;

    /// <summary>The programs of <paramref name="month"/> with a head, by id, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<string>> ReadProgramsAsync(string month, int limit)
    {
        // ledger_heads holds one row per program-month ever sold: small, so a scan by month is cheap.
        await using var command = dataSource.CreateCommand(
            "SELECT program_id FROM ledger_heads WHERE month = $1 ORDER BY program_id LIMIT $2");
        command.Parameters.Add(new() { Value = month });
        command.Parameters.Add(new() { Value = limit });
        var programs = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            programs.Add(reader.GetString(0));
        }

        return programs;
    }

    /// <summary>
    /// For each program, the next <paramref name="entriesMax"/> entries after its sequence, summed per channel
    /// and minute (purchases less cancels). Entries of a program-month commit in sequence order under its
    /// head's lock, so what is visible is always a prefix of the ledger and a sequence is a safe cursor.
    /// </summary>
    public async Task<IReadOnlyList<SalesMinute>> ReadMinutesAsync(
        string month, IReadOnlyList<(string ProgramId, long After)> cursors, int entriesMax)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT c.program_id, e.channel, date_trunc('minute', e.at),
                   sum(CASE WHEN e.kind = 'purchase' THEN e.amount ELSE -e.amount END)::bigint,
                   max(e.sequence), count(*)
            FROM unnest($2::text[], $3::bigint[]) AS c(program_id, after)
                 CROSS JOIN LATERAL (
                     SELECT x.channel, x.at, x.kind, x.amount, x.sequence
                     FROM ledger_entries x
                     WHERE x.program_id = c.program_id AND x.month = $1 AND x.sequence > c.after
                     ORDER BY x.sequence
                     LIMIT $4) e
            GROUP BY c.program_id, e.channel, date_trunc('minute', e.at)
            """);
        command.Parameters.Add(new() { Value = month });
        command.Parameters.Add(new() { Value = cursors.Select(c => c.ProgramId).ToArray() });
        command.Parameters.Add(new() { Value = cursors.Select(c => c.After).ToArray() });
        command.Parameters.Add(new() { Value = entriesMax });
        var minutes = new List<SalesMinute>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            minutes.Add(new SalesMinute(
                reader.GetString(0), ChannelNames.Parse(reader.GetString(1)), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }

        return minutes;
    }
}
