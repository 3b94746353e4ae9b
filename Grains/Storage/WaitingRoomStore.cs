using Ledger.Grains.Interfaces;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Grains.Storage;

/// <summary>What a waiting room keeps in PostgreSQL (db/0004_waiting_room.sql): every write only adds or raises.</summary>
public sealed class WaitingRoomStore(NpgsqlDataSource dataSource)
{
    private const string SaveSql =
        "INSERT INTO waiting_rooms (program_id, month, reserved, admitted) VALUES ($1, $2, $3, $4) " +
        "ON CONFLICT (program_id, month) DO UPDATE SET reserved = greatest(waiting_rooms.reserved, excluded.reserved), " +
        "admitted = greatest(waiting_rooms.admitted, excluded.admitted)";

    /// <summary>The room as stored: zeros and nothing placed when it never was.</summary>
    public async Task<WaitingRoomRecord> LoadAsync(ProgramMonth programMonth)
    {
        var (reserved, admitted) = (0L, 0L);
        await using (var command = Command("SELECT reserved, admitted FROM waiting_rooms WHERE program_id = $1 AND month = $2", programMonth))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            if (await reader.ReadAsync())
            {
                (reserved, admitted) = (reader.GetInt64(0), reader.GetInt64(1));
            }
        }

        var placed = new Dictionary<DateTimeOffset, long>();
        await using (var command = Command(
            "SELECT opening, first_number FROM waiting_room_openings WHERE program_id = $1 AND month = $2", programMonth))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                placed[reader.GetFieldValue<DateTimeOffset>(0)] = reader.GetInt64(1);
            }
        }

        var members = new List<PreQueueMember>();
        await using (var command = Command(
            "SELECT opening, citizen_id, draw FROM waiting_room_pre_queue WHERE program_id = $1 AND month = $2", programMonth))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                members.Add(new PreQueueMember(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        return new WaitingRoomRecord(reserved, admitted, placed, members);
    }

    /// <summary>Raises the stored reservation and frontier to at least these.</summary>
    public async Task SaveAsync(ProgramMonth programMonth, long reserved, long admitted)
    {
        await using var command = Command(SaveSql, programMonth);
        command.Parameters.Add(new() { Value = reserved });
        command.Parameters.Add(new() { Value = admitted });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Adds pre-queue members; one already there keeps the draw it has.</summary>
    public async Task AddPreQueueAsync(ProgramMonth programMonth, IReadOnlyList<PreQueueMember> members)
    {
        await using var command = Command(
            "INSERT INTO waiting_room_pre_queue (program_id, month, opening, citizen_id, draw) " +
            "SELECT $1, $2, m.opening, m.citizen_id, m.draw FROM unnest($3::timestamptz[], $4::text[], $5::bigint[]) " +
            "AS m(opening, citizen_id, draw) ON CONFLICT DO NOTHING", programMonth);
        command.Parameters.Add(new() { Value = members.Select(m => m.Opening).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = members.Select(m => m.CitizenId).ToArray() });
        command.Parameters.Add(new() { Value = members.Select(m => m.Draw).ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Records an opening's placement and the reservation that covers it in one statement; returns the first
    /// number as stored, an earlier placement's if there was one.
    /// </summary>
    public async Task<long> PlaceAsync(ProgramMonth programMonth, DateTimeOffset opening, long firstNumber, long reserved, long admitted)
    {
        await using var command = Command(
            $"WITH saved AS ({SaveSql}), " +
            "placed AS (INSERT INTO waiting_room_openings (program_id, month, opening, first_number) VALUES ($1, $2, $5, $6) " +
            "ON CONFLICT DO NOTHING RETURNING first_number) " +
            "SELECT coalesce((SELECT first_number FROM placed), " +
            "(SELECT first_number FROM waiting_room_openings WHERE program_id = $1 AND month = $2 AND opening = $5))", programMonth);
        command.Parameters.Add(new() { Value = reserved });
        command.Parameters.Add(new() { Value = admitted });
        command.Parameters.Add(new() { Value = opening });
        command.Parameters.Add(new() { Value = firstNumber });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private NpgsqlCommand Command(string sql, ProgramMonth programMonth)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        return command;
    }
}
