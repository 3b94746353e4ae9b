using Npgsql;

namespace Ledger.Grains.Storage;

/// <summary>
/// Brings the database to the schema this code carries: the files of db/ (embedded in this assembly) are an
/// append-only history, each applied exactly once, in version order, and recorded in ledger_schema_history
/// with its checksum. Nothing is ever re-applied, so a silo of an older release that restarts during a
/// rollout cannot take the schema back. It refuses (<see cref="SchemaRefusedException"/>) rather than start
/// when an applied file's text has changed or the database is at a version newer than any file it knows.
/// </summary>
/// <remarks>
/// Each file runs in its own transaction together with its history row, so the history never claims a
/// file that did not commit, a failed file leaves the ones before it applied (the next start resumes at
/// it), and the locks a file's statements take are released when that file commits rather than held
/// while later files run. A session advisory lock, held from the first read of the history to the last
/// file, keeps silos that start together from applying the same file twice: the second waits, then finds
/// nothing left to do.
/// </remarks>
public static class LedgerSchema
{
    // Any fixed number serves: it only has to be the same for every process applying this schema.
    private const long AdvisoryLockKey = 0x4C_65_64_67_65_72; // "Ledger"

    private const string HistoryTableSql =
        "CREATE TABLE IF NOT EXISTS ledger_schema_history (version integer PRIMARY KEY CHECK (version >= 1), " +
        "name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";

    /// <summary>The embedded history, in the order it is applied.</summary>
    public static IReadOnlyList<SchemaFile> Files { get; } = typeof(LedgerSchema).Assembly
        .GetManifestResourceNames()
        .Where(name => name.StartsWith("db/", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .Select(name => SchemaFile.Of(name, Read(name)))
        .ToArray();

    /// <exception cref="SchemaRefusedException">The database's history and this code's disagree.</exception>
    public static Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default) =>
        ApplyAsync(connectionString, Files, cancellationToken);

    /// <summary>Applies <paramref name="files"/> as the history; internal so that tests can write their own.</summary>
    internal static async Task ApplyAsync(
        string connectionString, IReadOnlyList<SchemaFile> files, CancellationToken cancellationToken = default)
    {
        CheckNumbering(files);
        // Unpooled: closing the connection ends the session and so releases the advisory lock, whatever
        // happened (a pooled connection would keep holding it while it idles in the pool).
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock($1)", cancellationToken, AdvisoryLockKey);
        await RefuseTheEarlierAppliersDatabaseAsync(connection, cancellationToken);
        await ExecuteAsync(connection, null, HistoryTableSql, cancellationToken);
        var applied = await ReadHistoryAsync(connection, cancellationToken);
        foreach (var file in Pending(files, applied))
        {
            await ApplyFileAsync(connection, file, cancellationToken);
        }
    }

    /// <summary>The files not yet applied, after checking that those applied are exactly this code's.</summary>
    private static IEnumerable<SchemaFile> Pending(
        IReadOnlyList<SchemaFile> files, IReadOnlyList<(int Version, string Name, string Checksum)> applied)
    {
        var latest = files[^1];
        if (applied.Count > 0 && applied[^1].Version > latest.Version)
        {
            throw new SchemaRefusedException(
                $"The database is at schema version {applied[^1].Version} ({applied[^1].Name}), and this silo knows up to " +
                $"version {latest.Version} ({latest.Name}): run a silo of the newer release, or roll the database back to " +
                $"version {latest.Version}.");
        }

        for (var i = 0; i < applied.Count; i++)
        {
            var (version, name, checksum) = applied[i];
            if (version != i + 1)
            {
                throw new SchemaRefusedException(
                    $"The database's schema history has no version {i + 1} but has {version}: it was edited by " +
                    "hand. Restore the missing rows of ledger_schema_history, or start from an empty database.");
            }

            var file = files[i];
            if (file.Name != name || file.Checksum != checksum)
            {
                throw new SchemaRefusedException(
                    $"The schema file {file.Name} differs from the {name} applied to this database as version {version} " +
                    $"(SHA-256 {checksum}, this silo's copy {file.Checksum}). An applied file is never edited: restore " +
                    $"{name} as it was applied, and put the change in a new file, db/{latest.Version + 1:D4}_name.sql " +
                    "(db/README.md).");
            }
        }

        return files.Skip(applied.Count);
    }

    private static async Task ApplyFileAsync(NpgsqlConnection connection, SchemaFile file, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, transaction, file.Sql, cancellationToken);
        }
        catch (PostgresException e)
        {
            throw new SchemaRefusedException(
                $"The schema file {file.Name} failed, so nothing of it was applied (the files before it were): " +
                $"{e.SqlState} {e.MessageText}", e);
        }

        await ExecuteAsync(
            connection, transaction, "INSERT INTO ledger_schema_history (version, name, sha256) VALUES ($1, $2, $3)",
            cancellationToken, file.Version, file.Name, file.Checksum);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The applied files, by version.</summary>
    private static async Task<IReadOnlyList<(int Version, string Name, string Checksum)>> ReadHistoryAsync(
        NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT version, name, sha256 FROM ledger_schema_history ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new List<(int, string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
        }

        return applied;
    }

    /// <summary>Versions run 1, 2, 3... without gaps, so a version is also the file's place in the history.</summary>
    private static void CheckNumbering(IReadOnlyList<SchemaFile> files)
    {
        for (var i = 0; i < files.Count; i++)
        {
            if (files[i].Version != i + 1)
            {
                throw new SchemaRefusedException(
                    $"The schema file {files[i].Name} should be version {i + 1}: number the files of db/ 0001, 0002... " +
                    "without gaps or repeats.");
            }
        }

        if (files.Count == 0)
        {
            throw new SchemaRefusedException("This build carries no schema files (db/*.sql).");
        }
    }

    /// <summary>
    /// A database set up before the schema was a history (by an applier that re-ran changed files) holds
    /// the tables of files it cannot vouch for; nothing of that shipped, so it is started again, not adopted.
    /// </summary>
    private static async Task RefuseTheEarlierAppliersDatabaseAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass('ledger_schema_files') IS NOT NULL", connection);
        if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
        {
            throw new SchemaRefusedException(
                "This database was set up by a development build that re-applied changed schema files " +
                "(it has ledger_schema_files), so its history is unknown: start from an empty database.");
        }
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken,
        params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Read(string file)
    {
        using var stream = typeof(LedgerSchema).Assembly.GetManifestResourceStream(file)
            ?? throw new InvalidOperationException($"The schema file {file} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
