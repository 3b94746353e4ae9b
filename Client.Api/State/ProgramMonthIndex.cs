using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Npgsql;

namespace Ledger.Client.Api.State;

/// <summary>
/// Which program-months exist, asked before any grain is called for a request that names one: a request about a
/// program-month nobody set a policy for is answered 404 here, so made-up ids activate nothing. A program-month
/// exists once its first policy is being saved: its grain writes the head (<c>ledger_heads</c>) before the policy,
/// so a policy that was saved always has one, whichever gateway or silo saved it, and heads are never deleted.
/// Program-months found are remembered (they are few); any other is looked up in the database, and lookups that
/// arrive while one is in flight share the next one, started when it ends: every answer is read after its
/// request arrived, so a policy that an admin was told is saved is seen by every request sent after that.
/// </summary>
/// <remarks>Without a database (no <c>ConnectionStrings:Ledger</c>) every program-month is taken to exist and the grains answer.</remarks>
public sealed class ProgramMonthIndex(Func<IReadOnlyList<ProgramMonth>, Task<IReadOnlySet<ProgramMonth>>>? lookUp)
{
    /// <summary>Program-months remembered at most; past this, further ones are looked up each time.</summary>
    public const int KnownMax = 100_000;

    /// <summary>Program-months asked in one lookup at most.</summary>
    public const int LookupBatchMax = 1_000;

    /// <summary>Program-months waiting for a lookup at most; past this, a request is answered 503 and nothing is done.</summary>
    public const int WaitingMax = 10_000;

    /// <summary>Connections the gateway opens for lookups: one lookup is in flight at a time.</summary>
    public const int ConnectionsMax = 2;

    private const int LookupTimeoutSeconds = 5;

    /// <summary>
    /// The shortest time from one lookup's start to the next's: a flood of made-up ids costs the database a few
    /// lookups a second, each of many ids, rather than one per id, and a lookup after a quiet time starts at once.
    /// </summary>
    public static readonly TimeSpan LookupPeriodMin = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<ProgramMonth, bool> known = new();
    private readonly Lock gate = new();
    private Dictionary<ProgramMonth, TaskCompletionSource<bool>> waiting = [];
    private bool lookingUp;

    /// <summary>The index on the ledger's database, or one that takes every program-month to exist without one.</summary>
    public static ProgramMonthIndex On(string? connectionString)
    {
        if (connectionString is null)
        {
            return new ProgramMonthIndex(null);
        }

        // A pool of its own, small and apart from the silos' budget of PostgreSQL connections.
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = ConnectionsMax;
        builder.ConnectionStringBuilder.ApplicationName = "ledger-gateway-index";
        var dataSource = builder.Build();
        return new ProgramMonthIndex(programMonths => ReadHeadsAsync(dataSource, programMonths));
    }

    /// <summary>Whether the program-month exists; throws <see cref="LedgerUnavailableException"/> when that cannot be read now.</summary>
    public ValueTask<bool> ExistsAsync(ProgramMonth programMonth)
    {
        if (lookUp is null || known.ContainsKey(programMonth))
        {
            return ValueTask.FromResult(true);
        }

        TaskCompletionSource<bool>? answer;
        var start = false;
        lock (gate)
        {
            if (!waiting.TryGetValue(programMonth, out answer))
            {
                if (waiting.Count >= WaitingMax)
                {
                    throw new LedgerUnavailableException("Too many program-months wait to be looked up; nothing was done.");
                }

                waiting[programMonth] = answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (!lookingUp)
            {
                lookingUp = start = true;
            }
        }

        if (start)
        {
            _ = LookUpWaitingAsync();
        }

        return new ValueTask<bool>(answer.Task);
    }

    /// <summary>Remembers a program-month that exists (its policy was just saved through this gateway).</summary>
    public void Learn(ProgramMonth programMonth)
    {
        if (known.Count < KnownMax)
        {
            known.TryAdd(programMonth, true);
        }
    }

    /// <summary>
    /// Looks up what waits, one batch at a time and at most one every <see cref="LookupPeriodMin"/>, until nothing does;
    /// each batch holds only requests that arrived before it began.
    /// </summary>
    private async Task LookUpWaitingAsync()
    {
        var startedAt = 0L;
        while (true)
        {
            if (startedAt != 0 && LookupPeriodMin - Stopwatch.GetElapsedTime(startedAt) is { Ticks: > 0 } rest)
            {
                await Task.Delay(rest);
            }

            if (TakeBatch() is not { } batch)
            {
                return;
            }

            startedAt = Stopwatch.GetTimestamp();
            IReadOnlySet<ProgramMonth>? found = null;
            Exception? failure = null;
            try
            {
                found = await lookUp!([.. batch.Keys]);
            }
            catch (Exception e)
            {
                failure = e as LedgerUnavailableException
                    ?? new LedgerUnavailableException("Which program-months exist could not be read now; nothing was done.", e);
            }

            foreach (var (programMonth, answer) in batch)
            {
                if (failure is not null)
                {
                    answer.SetException(failure);
                    continue;
                }

                var exists = found!.Contains(programMonth);
                if (exists)
                {
                    Learn(programMonth);
                }

                answer.SetResult(exists);
            }
        }
    }

    /// <summary>Up to <see cref="LookupBatchMax"/> waiting program-months, taken out of the waiting ones; null when none wait.</summary>
    private Dictionary<ProgramMonth, TaskCompletionSource<bool>>? TakeBatch()
    {
        lock (gate)
        {
            if (waiting.Count == 0)
            {
                lookingUp = false;
                return null;
            }

            if (waiting.Count <= LookupBatchMax)
            {
                var all = waiting;
                waiting = [];
                return all;
            }

            var batch = waiting.Take(LookupBatchMax).ToDictionary();
            foreach (var programMonth in batch.Keys)
            {
                waiting.Remove(programMonth);
            }

            return batch;
        }
    }

    /// <summary>Which of the program-months have a head: one probe of the primary key each.</summary>
    private static async Task<IReadOnlySet<ProgramMonth>> ReadHeadsAsync(NpgsqlDataSource dataSource, IReadOnlyList<ProgramMonth> programMonths)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT h.program_id, h.month FROM unnest($1::text[], $2::text[]) AS k(program_id, month) " +
            "JOIN ledger_heads h ON h.program_id = k.program_id AND h.month = k.month");
        command.CommandTimeout = LookupTimeoutSeconds;
        command.Parameters.Add(new() { Value = programMonths.Select(p => p.ProgramId).ToArray() });
        command.Parameters.Add(new() { Value = programMonths.Select(p => p.Month).ToArray() });
        var found = new HashSet<ProgramMonth>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add(new ProgramMonth(reader.GetString(0), reader.GetString(1)));
        }

        return found;
    }
}
