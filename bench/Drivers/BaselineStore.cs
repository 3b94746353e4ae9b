using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The conventional design, for comparison, with the ledger's rules: each purchase is one PostgreSQL
/// transaction that locks the citizen's usage row and then the channel's cap row, and checks the sale is
/// open, the amount is whole units, the key (a key bought with answers with the first purchase), the citizen's
/// monthly limit across channels and the cap, then writes. One function call per purchase (one round trip),
/// which is kinder to it than the several round trips such systems usually make. Its tables are the
/// benchmark's own (baseline_*), not the ledger's. Locks are always taken usage row first, cap row second,
/// so two purchases never wait on each other in a cycle.
/// </summary>
public sealed class BaselineStore(NpgsqlDataSource dataSource)
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS baseline_policies (program_id text, month text, opens_at timestamptz NOT NULL,
            ends_at timestamptz NOT NULL, citizen_limit bigint NOT NULL, unit bigint NOT NULL, discount_bps int NOT NULL,
            PRIMARY KEY (program_id, month));
        CREATE TABLE IF NOT EXISTS baseline_caps (program_id text, month text, channel text, cap bigint NOT NULL,
            sold bigint NOT NULL DEFAULT 0 CHECK (sold >= 0), PRIMARY KEY (program_id, month, channel));
        CREATE TABLE IF NOT EXISTS baseline_usage (program_id text, month text, citizen_id text, used bigint NOT NULL,
            PRIMARY KEY (program_id, month, citizen_id));
        CREATE TABLE IF NOT EXISTS baseline_entries (id bigserial PRIMARY KEY, program_id text NOT NULL, month text NOT NULL,
            citizen_id text NOT NULL, idempotency_key text NOT NULL, channel text NOT NULL, amount bigint NOT NULL,
            price bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(), cancelled_at timestamptz,
            UNIQUE (program_id, month, citizen_id, idempotency_key));

        CREATE OR REPLACE FUNCTION baseline_buy(p_program text, p_month text, p_citizen text, p_key text,
            p_channel text, p_amount bigint, OUT outcome text, OUT entry_id bigint) LANGUAGE plpgsql AS $$
        DECLARE
            pol baseline_policies%ROWTYPE;
            cap_row baseline_caps%ROWTYPE;
            first baseline_entries%ROWTYPE;
            used_now bigint;
        BEGIN
            SELECT * INTO pol FROM baseline_policies WHERE program_id = p_program AND month = p_month;
            IF NOT FOUND THEN outcome := 'not-found'; RETURN; END IF;
            IF now() < pol.opens_at THEN outcome := 'not-open'; RETURN; END IF;
            IF now() >= pol.ends_at THEN outcome := 'closed'; RETURN; END IF;
            IF p_amount <= 0 OR p_amount % pol.unit <> 0 THEN outcome := 'invalid'; RETURN; END IF;

            INSERT INTO baseline_usage VALUES (p_program, p_month, p_citizen, 0) ON CONFLICT DO NOTHING;
            SELECT used INTO used_now FROM baseline_usage
            WHERE program_id = p_program AND month = p_month AND citizen_id = p_citizen FOR UPDATE;
            SELECT * INTO cap_row FROM baseline_caps
            WHERE program_id = p_program AND month = p_month AND channel = p_channel FOR UPDATE;

            SELECT * INTO first FROM baseline_entries
            WHERE program_id = p_program AND month = p_month AND citizen_id = p_citizen AND idempotency_key = p_key;
            IF FOUND THEN
                outcome := CASE WHEN first.channel = p_channel AND first.amount = p_amount THEN 'duplicate' ELSE 'conflict' END;
                entry_id := first.id;
                RETURN;
            END IF;
            IF used_now + p_amount > pol.citizen_limit THEN outcome := 'limit'; RETURN; END IF;
            IF cap_row.sold + p_amount > cap_row.cap THEN outcome := 'sold-out'; RETURN; END IF;

            UPDATE baseline_usage SET used = used + p_amount
            WHERE program_id = p_program AND month = p_month AND citizen_id = p_citizen;
            INSERT INTO baseline_entries (program_id, month, citizen_id, idempotency_key, channel, amount, price)
            VALUES (p_program, p_month, p_citizen, p_key, p_channel, p_amount,
                    p_amount * (10000 - pol.discount_bps) / 10000)
            RETURNING id INTO entry_id;
            UPDATE baseline_caps SET sold = sold + p_amount
            WHERE program_id = p_program AND month = p_month AND channel = p_channel;
            outcome := 'confirmed';
        END;
        $$;

        CREATE OR REPLACE FUNCTION baseline_cancel(p_program text, p_month text, p_id bigint) RETURNS text
            LANGUAGE plpgsql AS $$
        DECLARE
            entry baseline_entries%ROWTYPE;
        BEGIN
            SELECT * INTO entry FROM baseline_entries WHERE id = p_id AND program_id = p_program AND month = p_month;
            IF NOT FOUND THEN RETURN 'not-found'; END IF;
            PERFORM 1 FROM baseline_usage
            WHERE program_id = p_program AND month = p_month AND citizen_id = entry.citizen_id FOR UPDATE;
            PERFORM 1 FROM baseline_caps
            WHERE program_id = p_program AND month = p_month AND channel = entry.channel FOR UPDATE;
            SELECT * INTO entry FROM baseline_entries WHERE id = p_id;
            IF entry.cancelled_at IS NOT NULL THEN RETURN 'cancelled'; END IF;
            IF now() > entry.at + interval '7 days' THEN RETURN 'window-passed'; END IF;

            UPDATE baseline_entries SET cancelled_at = now() WHERE id = p_id;
            UPDATE baseline_usage SET used = used - entry.amount
            WHERE program_id = p_program AND month = p_month AND citizen_id = entry.citizen_id;
            UPDATE baseline_caps SET sold = sold - entry.amount
            WHERE program_id = p_program AND month = p_month AND channel = entry.channel;
            RETURN 'cancelled';
        END;
        $$;
        """;

    public async Task SetUpAsync(IEnumerable<Sale> sales)
    {
        await using (var schema = dataSource.CreateCommand(Schema))
        {
            await schema.ExecuteNonQueryAsync();
        }

        foreach (var (programMonth, policy) in sales)
        {
            await ExecuteAsync(
                "INSERT INTO baseline_policies VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                programMonth.ProgramId, programMonth.Month, policy.EffectiveOpening(programMonth).ToUniversalTime(), programMonth.End.ToUniversalTime(),
                policy.CitizenMonthlyLimit, policy.Unit, policy.DiscountBps);
            foreach (var channel in Enum.GetValues<Channel>())
            {
                await ExecuteAsync(
                    "INSERT INTO baseline_caps (program_id, month, channel, cap) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    programMonth.ProgramId, programMonth.Month, channel.ToName(), policy.Caps[channel]);
            }
        }
    }

    /// <summary>One purchase, one transaction: confirmed, duplicate (with the first purchase's id), or why not.</summary>
    public async Task<(string Outcome, long EntryId)> BuyAsync(PurchaseRequest request)
    {
        await using var command = Command(
            "SELECT outcome, entry_id FROM baseline_buy($1, $2, $3, $4, $5, $6)",
            request.ProgramMonth.ProgramId, request.ProgramMonth.Month, request.CitizenId, request.IdempotencyKey,
            request.Channel.ToName(), request.Amount);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetString(0), reader.IsDBNull(1) ? 0 : reader.GetInt64(1));
    }

    public async Task<string> CancelAsync(ProgramMonth programMonth, long entryId)
    {
        await using var command = Command("SELECT baseline_cancel($1, $2, $3)", programMonth.ProgramId, programMonth.Month, entryId);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The remaining cap per channel, as a citizen's app would poll it.</summary>
    public async Task<long> RemainingAsync(ProgramMonth programMonth)
    {
        await using var command = Command(
            "SELECT coalesce(sum(cap - sold), 0)::bigint FROM baseline_caps WHERE program_id = $1 AND month = $2",
            programMonth.ProgramId, programMonth.Month);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What the baseline sold per its counter and per its entries: they must agree.</summary>
    public async Task<(long Counter, long Entries)> SoldAsync(ProgramMonth sale)
    {
        await using var command = Command(
            "SELECT (SELECT coalesce(sum(sold), 0) FROM baseline_caps WHERE program_id = $1 AND month = $2)::bigint, " +
            "(SELECT coalesce(sum(amount), 0) FROM baseline_entries WHERE program_id = $1 AND month = $2 AND cancelled_at IS NULL)::bigint",
            sale.ProgramId, sale.Month);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var command = Command(sql, values);
        await command.ExecuteNonQueryAsync();
    }

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return command;
    }
}
