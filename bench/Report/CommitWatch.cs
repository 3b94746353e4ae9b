using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// Where a grains-mode run's commits went (issue 20's profile): the silo's commit transactions, the program-months'
/// batches and items they carried and the time each waited for a pooled connection, from the silo's meters in this
/// process (<see cref="SiloWatch"/>); PostgreSQL's transactions and WAL flushes (pg_stat_database, pg_stat_wal) and the
/// CPU its processes used (from /proc, when it runs on this machine), and this process's own CPU.
/// </summary>
public sealed class CommitWatch : IDisposable
{
    private readonly SiloWatch silo = new();
    private readonly NpgsqlDataSource data;
    private readonly DatabaseFigures before;
    private readonly TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

    private CommitWatch(NpgsqlDataSource data, DatabaseFigures before)
    {
        this.data = data;
        this.before = before;
    }

    public static async Task<CommitWatch> StartAsync(NpgsqlDataSource data) => new(data, await DatabaseFigures.ReadAsync(data));

    /// <summary>What the run cost, from the start until now.</summary>
    public async Task<CommitProfile> StopAsync()
    {
        var figures = silo.Snapshot();
        var after = await DatabaseFigures.ReadAsync(data);
        return new CommitProfile(
            figures.Transactions, figures.Commits, figures.CommittedItems, figures.ConnectionWaitMeanMs, figures.ConnectionWaitMaxMs,
            after.Transactions - before.Transactions, after.WalFlushes - before.WalFlushes,
            after.CpuSeconds is { } cpu && before.CpuSeconds is { } cpuBefore ? cpu - cpuBefore : null,
            (Process.GetCurrentProcess().TotalProcessorTime - this.cpuBefore).TotalSeconds);
    }

    public void Dispose() => silo.Dispose();

    private sealed record DatabaseFigures(long Transactions, long WalFlushes, double? CpuSeconds)
    {
        public static async Task<DatabaseFigures> ReadAsync(NpgsqlDataSource data)
        {
            await using var command = data.CreateCommand(
                "SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()), " +
                "(SELECT wal_sync FROM pg_stat_wal), pg_backend_pid()");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return new DatabaseFigures(reader.GetInt64(0), reader.GetInt64(1), PostgresCpuSeconds(reader.GetInt32(2)));
        }

        // The postmaster (the parent of this session's backend) and every process it started, when they are on this
        // machine: user and system time in clock ticks, fields 14 and 15 of /proc/PID/stat. Backends that exited are
        // missed, but a pool's connections live through a run.
        private static double? PostgresCpuSeconds(int backend)
        {
            if (Stat(backend) is not { } backendStat)
            {
                return null;
            }

            var postmaster = int.Parse(backendStat[1], CultureInfo.InvariantCulture);
            long ticks = 0;
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid)
                    && Stat(pid) is { } stat && (pid == postmaster || stat[1] == backendStat[1]))
                {
                    ticks += long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture);
                }
            }

            return ticks / 100.0;
        }

        // The fields of /proc/PID/stat after the command's name (which may hold spaces): state, ppid, ...
        private static string[]? Stat(int pid)
        {
            try
            {
                var text = File.ReadAllText($"/proc/{pid}/stat");
                return text[(text.LastIndexOf(')') + 2)..].Split(' ');
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}

/// <summary>
/// A grains-mode run's commits (<see cref="CommitWatch"/>): the silo's commit transactions and the batches and items
/// they carried, the mean and longest wait for a pooled connection, PostgreSQL's transactions (reads included) and
/// WAL flushes, the CPU seconds PostgreSQL used (null when it is not on this machine) and the bench's own (the
/// load and the silo).
/// </summary>
public sealed record CommitProfile(
    long Transactions,
    long Batches,
    long Items,
    double ConnectionWaitMeanMs,
    double ConnectionWaitMaxMs,
    long DatabaseTransactions,
    long WalFlushes,
    double? DatabaseCpuSeconds,
    double BenchCpuSeconds)
{
    public double ItemsPerBatch => Batches == 0 ? 0 : (double)Items / Batches;

    public double BatchesPerTransaction => Transactions == 0 ? 0 : (double)Batches / Transactions;

    public double ItemsPerWalFlush => WalFlushes == 0 ? 0 : (double)Items / WalFlushes;
}
