using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench;

/// <summary>
/// PostgreSQL's own batched append rate on this machine: the rows a run of purchases writes, appended to
/// <c>ledger_entries</c> itself (same indexes, same trigger) by plain <c>INSERT … SELECT unnest</c>, one
/// committed transaction per batch, batches one after another like the program-month grain's single
/// flusher. No checks, no fence, no answers: the floor under <c>ledger_commit</c>, which adds the per-item
/// lookups. Each round appends to a fresh program-month.
/// </summary>
public static class AppendFloor
{
    private const string Insert = """
        INSERT INTO ledger_entries (program_id, month, sequence, kind, purchase_sequence, citizen_id, channel,
                                    amount, price, idempotency_key, at)
        SELECT $1, $2, $3 + b.i - 1, 'purchase', $3 + b.i - 1, b.citizen, 'mobile', $5, $6, b.key, now()
        FROM unnest($4::text[], $7::text[]) WITH ORDINALITY AS b(citizen, key, i)
        """;

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(BenchOptions options, NpgsqlDataSource data, int batch)
    {
        var results = new List<BenchResult>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var program = $"append-{Guid.NewGuid():N}"[..19];
            var latencies = new List<double>();
            var clock = Stopwatch.StartNew();
            await using var connection = await data.OpenConnectionAsync();
            for (var first = 0; first < options.Purchases; first += batch)
            {
                var size = Math.Min(batch, options.Purchases - first);
                var citizens = Enumerable.Range(first, size).Select(i => string.Create(CultureInfo.InvariantCulture, $"a{program}-{i}")).ToArray();
                await using var command = new NpgsqlCommand(Insert, connection);
                command.Parameters.Add(new() { Value = program });
                command.Parameters.Add(new() { Value = "2022-12" });
                command.Parameters.Add(new() { Value = (long)first + 1 });
                command.Parameters.Add(new() { Value = citizens, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new() { Value = BenchRun.Amount });
                command.Parameters.Add(new() { Value = BenchRun.Amount * 9 / 10 });
                command.Parameters.Add(new() { Value = Enumerable.Repeat("1", size).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                var started = Stopwatch.GetTimestamp();
                await command.ExecuteNonQueryAsync();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            var elapsed = clock.Elapsed;
            await using var count = new NpgsqlCommand(
                "SELECT count(*) FROM ledger_entries WHERE program_id = $1 AND month = '2022-12'", connection);
            count.Parameters.Add(new() { Value = program });
            var appended = (long)(await count.ExecuteScalarAsync())!;
            latencies.Sort();
            double Ms(double quantile) => latencies[(int)(quantile * (latencies.Count - 1))];
            results.Add(new BenchResult(
                options.Rounds == 1
                    ? $"floor: PostgreSQL appends batches of {batch} (latency per batch)"
                    : $"floor: PostgreSQL appends batches of {batch} (latency per batch), round {round}",
                options.Purchases, (int)appended, elapsed, Ms(0.5), Ms(0.95), Ms(0.99), Ms(1), appended == options.Purchases));
        }

        return results;
    }
}
