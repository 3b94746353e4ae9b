using Npgsql;

namespace Ledger.Grains.Storage;

/// <summary>
/// Applies the schema in db/ (embedded in this assembly) in file-name order. Every file is idempotent, so
/// it runs them all on every start; an advisory lock keeps silos that start together from racing.
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

    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new() { Value = AdvisoryLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var file in Files)
        {
            await using var command = new NpgsqlCommand(await ReadAsync(file), connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<string> ReadAsync(string file)
    {
        await using var stream = typeof(LedgerSchema).Assembly.GetManifestResourceStream(file)
            ?? throw new InvalidOperationException($"The schema file {file} is not embedded.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
