using Ledger.Grains.Interfaces;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The conventional design, for comparison: each purchase is its own PostgreSQL transaction that locks the
/// channel's cap row, checks the key, the citizen's usage and the cap, and writes. Written as one function
/// call per purchase (one round trip), which is kinder to it than the several round trips such systems
/// usually make. Its tables are the benchmark's own (bench_*), not the ledger's.
/// </summary>
public sealed class BaselineStore(NpgsqlDataSource dataSource)
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS bench_caps (program_id text, month text, channel text, cap bigint NOT NULL,
            sold bigint NOT NULL DEFAULT 0 CHECK (sold <= cap), PRIMARY KEY (program_id, month, channel));
        CREATE TABLE IF NOT EXISTS bench_usage (program_id text, month text, citizen_id text, used bigint NOT NULL,
            PRIMARY KEY (program_id, month, citizen_id));
        CREATE TABLE IF NOT EXISTS bench_entries (id bigserial PRIMARY KEY, program_id text NOT NULL, month text NOT NULL,
            citizen_id text NOT NULL, idempotency_key text NOT NULL, channel text NOT NULL, amount bigint NOT NULL,
            price bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (program_id, month, citizen_id, idempotency_key));
        CREATE OR REPLACE FUNCTION bench_buy(p_program text, p_month text, p_citizen text, p_key text, p_channel text,
            p_amount bigint, p_price bigint, p_limit bigint) RETURNS text LANGUAGE plpgsql AS $$
        DECLARE
            cap_row bench_caps%ROWTYPE;
            used_now bigint;
        BEGIN
            SELECT * INTO cap_row FROM bench_caps
            WHERE program_id = p_program AND month = p_month AND channel = p_channel FOR UPDATE;
            IF EXISTS (SELECT 1 FROM bench_entries WHERE program_id = p_program AND month = p_month
                       AND citizen_id = p_citizen AND idempotency_key = p_key) THEN
                RETURN 'duplicate';
            END IF;
            SELECT used INTO used_now FROM bench_usage
            WHERE program_id = p_program AND month = p_month AND citizen_id = p_citizen FOR UPDATE;
            IF coalesce(used_now, 0) + p_amount > p_limit THEN
                RETURN 'limit';
            END IF;
            IF cap_row.sold + p_amount > cap_row.cap THEN
                RETURN 'sold-out';
            END IF;
            INSERT INTO bench_usage VALUES (p_program, p_month, p_citizen, p_amount)
            ON CONFLICT (program_id, month, citizen_id) DO UPDATE SET used = bench_usage.used + excluded.used;
            INSERT INTO bench_entries (program_id, month, citizen_id, idempotency_key, channel, amount, price)
            VALUES (p_program, p_month, p_citizen, p_key, p_channel, p_amount, p_price);
            UPDATE bench_caps SET sold = sold + p_amount
            WHERE program_id = p_program AND month = p_month AND channel = p_channel;
            RETURN 'confirmed';
        END;
        $$;
        """;

    public async Task CreateAsync(ProgramMonth sale, Policy policy)
    {
        await using (var schema = dataSource.CreateCommand(Schema))
        {
            await schema.ExecuteNonQueryAsync();
        }

        foreach (var channel in Enum.GetValues<Channel>())
        {
            await using var cap = dataSource.CreateCommand(
                "INSERT INTO bench_caps (program_id, month, channel, cap) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING");
            cap.Parameters.Add(new() { Value = sale.ProgramId });
            cap.Parameters.Add(new() { Value = sale.Month });
            cap.Parameters.Add(new() { Value = channel.ToName() });
            cap.Parameters.Add(new() { Value = policy.Caps[channel] });
            await cap.ExecuteNonQueryAsync();
        }
    }

    /// <summary>One purchase, one transaction; true when it was confirmed.</summary>
    public async Task<bool> BuyAsync(PurchaseRequest request, Policy policy)
    {
        await using var command = dataSource.CreateCommand("SELECT bench_buy($1, $2, $3, $4, $5, $6, $7, $8)");
        object[] values =
        [
            request.ProgramMonth.ProgramId, request.ProgramMonth.Month, request.CitizenId, request.IdempotencyKey,
            request.Channel.ToName(), request.Amount, policy.PriceOf(request.Amount), policy.CitizenMonthlyLimit,
        ];
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return (string?)await command.ExecuteScalarAsync() == "confirmed";
    }

    /// <summary>What the baseline sold per its counter and per its entries: they must agree.</summary>
    public async Task<(long Counter, long Entries)> SoldAsync(ProgramMonth sale)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT coalesce(sum(sold), 0) FROM bench_caps WHERE program_id = $1 AND month = $2)::bigint, " +
            "(SELECT coalesce(sum(amount), 0) FROM bench_entries WHERE program_id = $1 AND month = $2)::bigint");
        command.Parameters.Add(new() { Value = sale.ProgramId });
        command.Parameters.Add(new() { Value = sale.Month });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
