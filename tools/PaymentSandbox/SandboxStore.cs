using Npgsql;

namespace Ledger.PaymentSandbox;

/// <summary>
/// The provider's own record, in its own schema: one row per transfer id, written once. It is the truth the
/// ledger reconciles against, so it survives restarts.
/// </summary>
public sealed class SandboxStore(NpgsqlDataSource dataSource)
{
    public const string Withdraw = "withdraw";
    public const string Deposit = "deposit";

    private const string SchemaSql = """
        CREATE SCHEMA IF NOT EXISTS payment_sandbox;
        CREATE TABLE IF NOT EXISTS payment_sandbox.transfers
        (
            bank_tran_id text        PRIMARY KEY,
            kind         text        NOT NULL CHECK (kind IN ('withdraw', 'deposit')),
            payer        text        NOT NULL,
            amount       bigint      NOT NULL CHECK (amount > 0),
            done         boolean     NOT NULL,
            at           timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS transfers_payer ON payment_sandbox.transfers (payer);
        """;

    // The inserts and the read of what each id holds in one statement: the first transfer under an id is the one
    // (the first in the batch, when one id comes twice).
    private const string RecordAllSql = """
        WITH input AS (
            SELECT DISTINCT ON (t.id) t.id, t.kind, t.payer, t.amount, t.done
            FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::boolean[])
                     WITH ORDINALITY AS t(id, kind, payer, amount, done, i)
            ORDER BY t.id, t.i),
        inserted AS (
            INSERT INTO payment_sandbox.transfers (bank_tran_id, kind, payer, amount, done)
            SELECT id, kind, payer, amount, done FROM input
            ON CONFLICT (bank_tran_id) DO NOTHING
            RETURNING bank_tran_id, kind, payer, amount, done)
        SELECT bank_tran_id, kind, payer, amount, done FROM inserted
        UNION ALL
        SELECT t.bank_tran_id, t.kind, t.payer, t.amount, t.done
        FROM payment_sandbox.transfers t JOIN input ON t.bank_tran_id = input.id
        WHERE NOT EXISTS (SELECT 1 FROM inserted x WHERE x.bank_tran_id = input.id)
        """;

    public async Task EnsureSchemaAsync()
    {
        // Sandboxes starting together would race on CREATE ... IF NOT EXISTS; one lock takes turns.
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('payment_sandbox'))", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        await using (var command = new NpgsqlCommand(SchemaSql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>Records each transfer unless its id holds one already, in one transaction; returns what each id holds.</summary>
    public async Task<Dictionary<string, StoredTransfer>> RecordAllAsync(IReadOnlyList<TransferToRecord> transfers)
    {
        await using var command = dataSource.CreateCommand(RecordAllSql);
        command.Parameters.Add(new() { Value = transfers.Select(t => t.Id).ToArray() });
        command.Parameters.Add(new() { Value = transfers.Select(t => t.Kind).ToArray() });
        command.Parameters.Add(new() { Value = transfers.Select(t => t.Payer).ToArray() });
        command.Parameters.Add(new() { Value = transfers.Select(t => t.Amount).ToArray() });
        command.Parameters.Add(new() { Value = transfers.Select(t => t.Done).ToArray() });
        return await ReadAllAsync(command);
    }

    /// <summary>What each id holds, for the ids that hold a transfer.</summary>
    public async Task<Dictionary<string, StoredTransfer>> FindAllAsync(IReadOnlyList<string> ids)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT bank_tran_id, kind, payer, amount, done FROM payment_sandbox.transfers WHERE bank_tran_id = ANY($1)");
        command.Parameters.Add(new() { Value = ids.ToArray() });
        return await ReadAllAsync(command);
    }

    /// <summary>What the provider withdrew from a payer and returned to them, in won.</summary>
    public async Task<PayerFigures> PayerAsync(string payer)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT coalesce(sum(amount) FILTER (WHERE kind = 'withdraw' AND done), 0)::bigint,
                   coalesce(sum(amount) FILTER (WHERE kind = 'deposit' AND done), 0)::bigint
            FROM payment_sandbox.transfers WHERE payer = $1
            """);
        command.Parameters.Add(new() { Value = payer });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new PayerFigures(reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<Dictionary<string, StoredTransfer>> ReadAllAsync(NpgsqlCommand command)
    {
        var stored = new Dictionary<string, StoredTransfer>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[reader.GetString(0)] = new StoredTransfer(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetBoolean(4));
        }

        return stored;
    }
}
