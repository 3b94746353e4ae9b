using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Ledger.Grains.Storage;

/// <summary>
/// Applies the schema in db/ (embedded in this assembly) in file-name order, each file in full and only
/// when it is new or changed (by SHA-256), so a silo starting while others sell takes no lock on the hot
/// tables (a no-op CREATE INDEX IF NOT EXISTS still locks its table). Every file is also idempotent, so a
/// changed one can run over its older version. An advisory lock keeps silos that start together from racing.
/// </summary>
public static class LedgerSchema
{
    // Any fixed number serves: it only has to be the same for every process applying this schema.
    private const long AdvisoryLockKey = 0x4C_65_64_67_65_72; // "Ledger"

    /// <summary>The embedded schema files, in the order they are applied.</summary>
    public static IReadOnlyList<string> Files { get; } = typeof(LedgerSchema).Assembly
        .GetManifestResourceNames()
        .Where(name => name.StartsWith("db/", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <param name="everyFile">Run every file even if it was applied before (to check they are idempotent).</param>
    public static async Task ApplyAsync(
        string connectionString, bool everyFile = false, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new() { Value = AdvisoryLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS ledger_schema_files (name text PRIMARY KEY, sha256 text NOT NULL, " +
            "applied_at timestamptz NOT NULL DEFAULT now())", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var file in Files)
        {
            var sql = await ReadAsync(file);
            var sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            if (!everyFile && await AppliedHashAsync(connection, transaction, file, cancellationToken) == sha256)
            {
                continue;
            }

            await using (var command = new NpgsqlCommand(sql, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var record = new NpgsqlCommand(
                "INSERT INTO ledger_schema_files (name, sha256) VALUES ($1, $2) " +
                "ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, applied_at = now()", connection, transaction);
            record.Parameters.Add(new() { Value = file });
            record.Parameters.Add(new() { Value = sha256 });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<string?> AppliedHashAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string file, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT sha256 FROM ledger_schema_files WHERE name = $1", connection, transaction);
        command.Parameters.Add(new() { Value = file });
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<string> ReadAsync(string file)
    {
        await using var stream = typeof(LedgerSchema).Assembly.GetManifestResourceStream(file)
            ?? throw new InvalidOperationException($"The schema file {file} is not embedded.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
