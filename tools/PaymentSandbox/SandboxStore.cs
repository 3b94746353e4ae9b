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

    // The insert and the read of what the id holds in one statement: the first transfer under an id is the one.
    private const string RecordSql = """
        WITH inserted AS (
            INSERT INTO payment_sandbox.transfers (bank_tran_id, kind, payer, amount, done)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (bank_tran_id) DO NOTHING
            RETURNING kind, payer, amount, done)
        SELECT kind, payer, amount, done FROM inserted
        UNION ALL
        SELECT kind, payer, amount, done FROM payment_sandbox.transfers
        WHERE bank_tran_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)
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

    /// <summary>Records a transfer unless its id holds one already; returns what the id holds.</summary>
    public async Task<StoredTransfer> RecordAsync(string id, string kind, string payer, long amount, bool done)
    {
        await using var command = dataSource.CreateCommand(RecordSql);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = kind });
        command.Parameters.Add(new() { Value = payer });
        command.Parameters.Add(new() { Value = amount });
        command.Parameters.Add(new() { Value = done });
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? Read(reader)
            : throw new InvalidOperationException($"Transfer {id} was neither recorded nor found.");
    }

    public async Task<StoredTransfer?> FindAsync(string id)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT kind, payer, amount, done FROM payment_sandbox.transfers WHERE bank_tran_id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Read(reader) : null;
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

    private static StoredTransfer Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetBoolean(3));
}
