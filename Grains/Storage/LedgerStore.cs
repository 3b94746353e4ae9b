using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Npgsql;

namespace Ledger.Grains.Storage;

/// <summary>
/// The ledger's own tables (db/0003_ledger.sql). Every write is one call of a database function, so it is
/// one round trip and one transaction: it happens whole or not at all.
/// </summary>
public sealed class LedgerStore(NpgsqlDataSource dataSource)
{
    /// <summary>The SQLSTATE ledger_commit raises when the head has moved on: a newer activation owns it.</summary>
    public const string FencedSqlState = "LF001";

    /// <summary>The reason a hold voided on its expiry gives.</summary>
    public const string ExpiredReason = "expired";

    /// <summary>
    /// Raises the program-month's epoch for a new activation and returns the head it starts from; null when
    /// the program-month has no head and <paramref name="create"/> is false.
    /// </summary>
    public async Task<LedgerHead?> ClaimAsync(ProgramMonth programMonth, bool create)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT epoch, next_sequence, sold_mobile, sold_paper, held_mobile, held_paper FROM ledger_claim_with_holds($1, $2, $3)");
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        command.Parameters.Add(new() { Value = create });
        return await ReadHeadAsync(command);
    }

    /// <summary>The head as stored, without claiming it; null when there is none.</summary>
    public async Task<LedgerHead?> ReadHeadAsync(ProgramMonth programMonth)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT epoch, next_sequence, sold_mobile, sold_paper, held_mobile, held_paper FROM ledger_heads " +
            "WHERE program_id = $1 AND month = $2");
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        return await ReadHeadAsync(command);
    }

    /// <summary>
    /// Commits one program-month's batch in a transaction of its own, fenced by the head's epoch and next sequence.
    /// </summary>
    /// <exception cref="LedgerFencedException">The head has moved on; nothing was written.</exception>
    /// <exception cref="LedgerBatchRefusedException">The database refused the batch; nothing of it was written.</exception>
    public async Task<CommitResult> CommitAsync(
        ProgramMonth programMonth,
        LedgerHead head,
        CommitLimits limits,
        IReadOnlyList<PendingFollowUp> followUps,
        IReadOnlyList<CommitPurchase> purchases,
        DateTimeOffset at)
    {
        var outcome = (await CommitManyAsync([new BatchCommit(programMonth, head, limits, followUps, purchases, at)]))[0];
        return outcome.Result ?? throw outcome.Failure!;
    }

    /// <summary>
    /// Commits the batches of many program-months in one transaction (ledger_commit_batches, db/0010 and 0011), each fenced by its
    /// own head and answered on its own: a batch the database refuses (fenced, or a broken invariant) leaves nothing
    /// of itself and fails alone, with <see cref="LedgerFencedException"/> or <see cref="LedgerBatchRefusedException"/>.
    /// At most <see cref="BatchesPerTransactionMax"/> batches.
    /// </summary>
    /// <returns>Each batch's outcome, in the order given.</returns>
    /// <exception cref="Exception">The transaction failed whole (the connection, the database): whether it committed is unknown.</exception>
    public async Task<IReadOnlyList<Outcome<CommitResult>>> CommitManyAsync(IReadOnlyList<BatchCommit> batches)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batches.Count, BatchesPerTransactionMax);
        // Heads are locked in one order (program, month) by every transaction: two cannot wait for each other.
        var ordered = Enumerable.Range(0, batches.Count)
            .OrderBy(i => batches[i].ProgramMonth.ProgramId, StringComparer.Ordinal)
            .ThenBy(i => batches[i].ProgramMonth.Month, StringComparer.Ordinal)
            .ToArray();
        var sent = ordered.Select(i => batches[i]).ToArray();
        Outcome<CommitResult>[] answered;
        try
        {
            answered = await CommitAsync(sent, together: true);
        }
        catch (PostgresException e)
        {
            // The database refused the statement, so nothing of it was written: a broken invariant in one batch (a fenced
            // one is left out without failing the others). Committed one by one, in subtransactions, it fails alone.
            LedgerMetrics.CountCommitFallback(e.SqlState);
            answered = await CommitAsync(sent, together: false);
        }

        var outcomes = new Outcome<CommitResult>[batches.Count];
        for (var i = 0; i < sent.Length; i++)
        {
            outcomes[ordered[i]] = answered[i];
        }

        return outcomes;
    }

    /// <param name="together">Whether each statement runs once for all batches (ledger_commit_batches), or each batch in a
    /// subtransaction of its own (ledger_commit_many).</param>
    private async Task<Outcome<CommitResult>[]> CommitAsync(BatchCommit[] sent, bool together)
    {
        var followUps = sent.SelectMany(b => b.FollowUps).ToArray();
        var purchases = sent.SelectMany(b => b.Purchases).ToArray();
        object[] batchFigures =
        [
            sent.Select(b => b.ProgramMonth.ProgramId).ToArray(),
            sent.Select(b => b.ProgramMonth.Month).ToArray(),
            sent.Select(b => b.Head.Epoch).ToArray(),
            sent.Select(b => b.Head.NextSequence).ToArray(),
            sent.Select(b => b.Limits.CitizenMonthlyLimit).ToArray(),
            sent.Select(b => b.Limits.Caps.Mobile).ToArray(),
            sent.Select(b => b.Limits.Caps.Paper).ToArray(),
            sent.Select(b => b.At.ToUniversalTime()).ToArray(),
            sent.Select(b => b.FollowUps.Count).ToArray(),
        ];
        object[] followUpValues =
        [
            followUps.Select(f => f.Sequence).ToArray(),
            followUps.Select(f => KindOf(f.Kind)).ToArray(),
            followUps.Select(f => f.Reason).ToArray(),
        ];
        object[] purchaseValues =
        [
            purchases.Select(p => p.CitizenId).ToArray(),
            purchases.Select(p => p.IdempotencyKey).ToArray(),
            purchases.Select(p => p.Channel.ToName()).ToArray(),
            purchases.Select(p => p.Amount).ToArray(),
            purchases.Select(p => p.Price).ToArray(),
            purchases.Select(p => p.SoldBy).ToArray(),
            purchases.Select(p => p.HoldSeconds).ToArray(),
        ];
        object[] values = together
            ?
            [
                .. batchFigures,
                sent.SelectMany((b, i) => Enumerable.Repeat(i + 1, b.FollowUps.Count)).ToArray(), .. followUpValues,
                sent.SelectMany((b, i) => Enumerable.Repeat(i + 1, b.Purchases.Count)).ToArray(), .. purchaseValues,
            ]
            : [.. batchFigures, sent.Select(b => b.Purchases.Count).ToArray(), .. followUpValues, .. purchaseValues];

        var waitStarted = Stopwatch.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync();
        LedgerMetrics.RecordCommitTransaction(sent.Length, Stopwatch.GetElapsedTime(waitStarted));
        await using var command = new NpgsqlCommand(together ? CommitSql : CommitEachSql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        var followUpAnswers = sent.Select(b => new CommitAnswer?[b.FollowUps.Count]).ToArray();
        var purchaseAnswers = sent.Select(b => new CommitAnswer?[b.Purchases.Count]).ToArray();
        var failures = new Exception?[sent.Length];
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var batch = reader.GetInt32(0) - 1;
                var item = reader.GetInt64(1);
                if (!reader.IsDBNull(14))
                {
                    failures[batch] = Refusal(sent[batch].ProgramMonth, reader.GetString(14), reader.GetString(15));
                    continue;
                }

                var answer = new CommitAnswer(
                    ParseOutcome(reader.GetString(2)),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    reader.GetInt64(4),
                    ChannelNames.Parse(reader.GetString(5)),
                    reader.GetInt64(6),
                    reader.GetInt64(7),
                    reader.GetFieldValue<DateTimeOffset>(8),
                    ParseStatus(reader.GetString(9)),
                    reader.IsDBNull(10) ? null : reader.GetString(10),
                    reader.IsDBNull(11) ? null : ParseRejection(reader.GetString(11)),
                    reader.IsDBNull(12) ? null : reader.GetInt64(12),
                    reader.IsDBNull(13) ? null : reader.GetFieldValue<DateTimeOffset>(13));
                if (item > 0)
                {
                    purchaseAnswers[batch][item - 1] = answer;
                }
                else
                {
                    followUpAnswers[batch][-item - 1] = answer;
                }
            }
        }

        return sent.Select((_, i) => failures[i] is { } failure
                ? new Outcome<CommitResult>(null, failure)
                : new Outcome<CommitResult>(new CommitResult(Complete(followUpAnswers[i]), Complete(purchaseAnswers[i])), null))
            .ToArray();
    }

    /// <summary>
    /// Writes refusals as their keys' answers (db/0008_rejections_remembered.sql) in one statement; a key already
    /// written keeps its first refusal.
    /// </summary>
    public Task RecordRejectionsAsync(ProgramMonth programMonth, IReadOnlyList<Rejection> rejections) =>
        RecordRejectionsAsync([(programMonth, rejections)]);

    /// <summary>Writes the refusals of many program-months in one statement.</summary>
    public async Task RecordRejectionsAsync(IReadOnlyList<(ProgramMonth ProgramMonth, IReadOnlyList<Rejection> Rejections)> batches)
    {
        var rows = batches.SelectMany(b => b.Rejections.Select(r => (b.ProgramMonth, Rejection: r))).ToArray();
        await using var command = dataSource.CreateCommand(RecordRejectionsSql);
        object[] values =
        [
            rows.Select(r => r.ProgramMonth.ProgramId).ToArray(),
            rows.Select(r => r.ProgramMonth.Month).ToArray(),
            rows.Select(r => r.Rejection.Owner).ToArray(),
            rows.Select(r => r.Rejection.Claim.Key).ToArray(),
            rows.Select(r => r.Rejection.Claim.CitizenId).ToArray(),
            rows.Select(r => r.Rejection.Claim.Channel.ToName()).ToArray(),
            rows.Select(r => r.Rejection.Claim.Amount).ToArray(),
            rows.Select(r => RejectionName(r.Rejection.Answer.Outcome)).ToArray(),
            rows.Select(r => r.Rejection.Answer.Remaining).ToArray(),
            rows.Select(r => r.Rejection.Answer.OpensAt?.ToUniversalTime()).ToArray(),
            rows.Select(r => r.Rejection.At.ToUniversalTime()).ToArray(),
        ];
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The purchase recorded at a sequence, with its current status; null when there is none.</summary>
    public async Task<Purchase?> ReadPurchaseAsync(ProgramMonth programMonth, long sequence)
    {
        await using var command = dataSource.CreateCommand(PurchaseSql);
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        command.Parameters.Add(new() { Value = sequence });
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadPurchase(programMonth, reader) : null;
    }

    /// <summary>Every purchase a citizen made in a program-month, by key, and their usage: what is not cancelled.</summary>
    public async Task<CitizenHistory> ReadCitizenHistoryAsync(ProgramMonth programMonth, string citizenId)
    {
        await using var command = dataSource.CreateCommand(CitizenHistorySql);
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        command.Parameters.Add(new() { Value = citizenId });
        await using var reader = await command.ExecuteReaderAsync();
        var byKey = new Dictionary<string, Purchase>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            byKey.Add(reader.GetString(7), ReadPurchase(programMonth, reader));
        }

        // A hold counts until it ends, like a purchase.
        var used = byKey.Values.Where(p => p.Status is PurchaseStatus.Confirmed or PurchaseStatus.Pending).Sum(p => p.Amount);
        return new CitizenHistory(used, byKey);
    }

    /// <summary>
    /// Every citizen who ever bought in the program-month, and every teller's key with its citizen; null
    /// when the program-month has more than <paramref name="max"/> purchases.
    /// </summary>
    public async Task<Buyers?> ReadBuyersAsync(ProgramMonth programMonth, int max)
    {
        await using var command = dataSource.CreateCommand(BuyersSql);
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        command.Parameters.Add(new() { Value = max + 1 });
        await using var reader = await command.ExecuteReaderAsync();
        var buyers = new Buyers();
        var purchases = 0;
        while (await reader.ReadAsync())
        {
            buyers.Add(reader.GetString(0), reader.GetString(1));
            purchases++;
        }

        return purchases > max ? null : buyers;
    }

    /// <summary>The highest usage of any citizen in the program-month.</summary>
    public async Task<long> ReadMaxCitizenUsedAsync(ProgramMonth programMonth)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT coalesce(max(used), 0)::bigint FROM (SELECT sum(CASE kind WHEN 'purchase' THEN amount WHEN 'post' THEN 0 ELSE -amount END) AS used " +
            "FROM ledger_entries WHERE program_id = $1 AND month = $2 GROUP BY citizen_id) u");
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Entries after a sequence, in order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> ReadEntriesAsync(ProgramMonth programMonth, long after, int limit)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT sequence, kind, purchase_sequence, citizen_id, channel, amount, price, at, payment IS NOT NULL FROM ledger_entries " +
            "WHERE program_id = $1 AND month = $2 AND sequence > $3 ORDER BY sequence LIMIT $4");
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync();
        var entries = new List<LedgerEntry>();
        while (await reader.ReadAsync())
        {
            entries.Add(new LedgerEntry(
                reader.GetInt64(0),
                KindOf(reader.GetString(1), paid: reader.GetBoolean(8)),
                PurchaseIds.Format(programMonth, reader.GetInt64(2)),
                reader.GetString(3),
                ChannelNames.Parse(reader.GetString(4)),
                reader.GetInt64(5),
                reader.GetInt64(6),
                reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return entries;
    }

    /// <summary>The counters and their recomputation from the ledger, in one snapshot; null without a head.</summary>
    public async Task<AuditFigures?> AuditAsync(ProgramMonth programMonth, long citizenMonthlyLimit)
    {
        await using var command = dataSource.CreateCommand("SELECT * FROM ledger_audit_with_holds($1, $2, $3)");
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        command.Parameters.Add(new() { Value = citizenMonthlyLimit });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        return new AuditFigures(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7))
        {
            HeadHeldMobile = reader.GetInt64(8),
            HeadHeldPaper = reader.GetInt64(9),
            LedgerHeldMobile = reader.GetInt64(10),
            LedgerHeldPaper = reader.GetInt64(11),
            OpenHoldsAstray = reader.GetInt64(12),
        };
    }

    /// <summary>
    /// The batches a transaction carries at most: each is a subtransaction, and a backend caches 64 subtransaction ids
    /// (past that, every other backend's snapshot falls back to pg_subtrans lookups while the transaction runs).
    /// </summary>
    public const int BatchesPerTransactionMax = 64;

    /// <summary>Batches' commit (the parameters of <c>ledger_commit_batches</c>, in order); internal so that tests can check its plan.</summary>
    internal const string CommitSql =
        "SELECT batch, item, outcome, sequence, citizen_used, channel, amount, price, at, status, reason, rejected_as, remaining, " +
        "opens_at, failed_state, failed_message FROM ledger_commit_batches(" +
        "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)";

    /// <summary>Batches' commit each in a subtransaction (the parameters of <c>ledger_commit_many</c>, in order).</summary>
    internal const string CommitEachSql =
        "SELECT batch, item, outcome, sequence, citizen_used, channel, amount, price, at, status, reason, rejected_as, remaining, " +
        "opens_at, failed_state, failed_message FROM ledger_commit_many(" +
        "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)";

    /// <summary>Refusals, one per key of a program-month; internal so that tests can check its plan.</summary>
    internal const string RecordRejectionsSql =
        "INSERT INTO ledger_rejections (program_id, month, owner_id, idempotency_key, citizen_id, channel, amount, outcome, " +
        "remaining, opens_at, at) SELECT r.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], " +
        "$7::bigint[], $8::text[], $9::bigint[], $10::timestamptz[], $11::timestamptz[]) AS r ON CONFLICT DO NOTHING";

    /// <summary>The purchases of program-month ($1, $2), at most $3, by citizen and stored key; internal so that tests can check its plan.</summary>
    internal const string BuyersSql =
        "SELECT citizen_id, idempotency_key FROM ledger_entries " +
        "WHERE (program_id || '/' || month) = ($1 || '/' || $2) AND kind = 'purchase' LIMIT $3";

    /// <summary>The purchase of program-month ($1, $2) at sequence $3; internal so that tests can check its plan.</summary>
    internal const string PurchaseSql =
        PurchaseSelect + "WHERE p.program_id = $1 AND p.month = $2 AND p.kind = 'purchase' AND p.sequence = $3";

    /// <summary>Every purchase of citizen $3 in program-month ($1, $2); internal so that tests can check its plan.</summary>
    internal const string CitizenHistorySql =
        PurchaseSelect + "WHERE (p.program_id || '/' || p.month) = ($1 || '/' || $2) AND p.kind = 'purchase' AND p.citizen_id = $3";

    // Purchases of the program-month ($1, $2) with whether each is cancelled, how its hold ended (if it is one)
    // and what is owed back for it. A lookup by sequence names the plain columns (the primary key); one by citizen
    // or of follow-ups names the program-month as the secondary indexes key it, so that only the index meant for
    // it fits (see db/0003_ledger.sql).
    private const string PurchaseSelect =
        "SELECT p.sequence, p.citizen_id, p.channel, p.amount, p.price, p.at, " +
        "EXISTS (SELECT 1 FROM ledger_entries c WHERE c.kind = 'cancel' AND c.purchase_sequence = p.sequence " +
        "AND (c.program_id || '/' || c.month) = ($1 || '/' || $2)), p.idempotency_key, p.payment IS NOT NULL, " +
        "(SELECT e.kind || coalesce(':' || e.reason, '') FROM ledger_entries e " +
        "WHERE e.kind IN ('post', 'void', 'expire') AND e.purchase_sequence = p.sequence " +
        "AND (e.program_id || '/' || e.month) = ($1 || '/' || $2)), " +
        "(SELECT r.state FROM payment_refunds r WHERE r.program_id = p.program_id AND r.month = p.month " +
        "AND r.purchase_sequence = p.sequence) " +
        "FROM ledger_entries p ";

    private static Purchase ReadPurchase(ProgramMonth programMonth, NpgsqlDataReader reader)
    {
        var sequence = reader.GetInt64(0);
        var ending = reader.IsDBNull(9) ? null : reader.GetString(9);
        var (status, reason) = (reader.GetBoolean(6), reader.GetBoolean(8), ending) switch
        {
            (true, _, _) => (PurchaseStatus.Cancelled, null),
            (_, true, null) => (PurchaseStatus.Pending, null),
            (_, _, not null) when ending.StartsWith("void:", StringComparison.Ordinal) => (PurchaseStatus.Voided, ending[5..]),
            (_, _, "expire") => (PurchaseStatus.Voided, ExpiredReason),
            _ => (PurchaseStatus.Confirmed, (string?)null),
        };
        var refund = reader.IsDBNull(10) ? null : reader.GetString(10) switch
        {
            "pending" => RefundState.Pending,
            "done" => RefundState.Done,
            _ => (RefundState?)null,
        };
        return new Purchase(
            PurchaseIds.Format(programMonth, sequence),
            programMonth,
            reader.GetString(1),
            ChannelNames.Parse(reader.GetString(2)),
            reader.GetInt64(3),
            reader.GetInt64(4),
            status,
            reader.GetFieldValue<DateTimeOffset>(5),
            sequence,
            reason,
            refund);
    }

    private static async Task<LedgerHead?> ReadHeadAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        return new LedgerHead(
            reader.GetInt64(0),
            reader.GetInt64(1),
            new ChannelAmounts(reader.GetInt64(2), reader.GetInt64(3)))
        {
            Held = new ChannelAmounts(reader.GetInt64(4), reader.GetInt64(5)),
        };
    }

    private static Exception Refusal(ProgramMonth programMonth, string sqlState, string message) => sqlState == FencedSqlState
        ? new LedgerFencedException(message, new LedgerBatchRefusedException(sqlState, message))
        : new LedgerBatchRefusedException(sqlState, $"The ledger of {programMonth} refused the batch: {message}");

    private static CommitOutcome ParseOutcome(string outcome) => outcome switch
    {
        "confirmed" => CommitOutcome.Confirmed,
        "duplicate" => CommitOutcome.Duplicate,
        "conflict" => CommitOutcome.Conflict,
        "limit" => CommitOutcome.LimitExceeded,
        "cancelled" => CommitOutcome.Cancelled,
        "posted" => CommitOutcome.Posted,
        "voided" => CommitOutcome.Voided,
        "expired" => CommitOutcome.Expired,
        "rejected" => CommitOutcome.Rejected,
        _ => throw new InvalidOperationException($"ledger_commit answered an unknown outcome '{outcome}'."),
    };

    private static PurchaseOutcome ParseRejection(string name) => name switch
    {
        "sold-out" => PurchaseOutcome.SoldOut,
        "limit" => PurchaseOutcome.LimitExceeded,
        "not-open" => PurchaseOutcome.NotOpen,
        "closed" => PurchaseOutcome.Closed,
        _ => throw new InvalidOperationException($"ledger_commit answered an unknown refusal '{name}'."),
    };

    private static string RejectionName(PurchaseOutcome outcome) => outcome switch
    {
        PurchaseOutcome.SoldOut => "sold-out",
        PurchaseOutcome.LimitExceeded => "limit",
        PurchaseOutcome.NotOpen => "not-open",
        PurchaseOutcome.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not a refusal a key keeps."),
    };

    private static PurchaseStatus ParseStatus(string status) => status switch
    {
        "confirmed" => PurchaseStatus.Confirmed,
        "cancelled" => PurchaseStatus.Cancelled,
        "pending" => PurchaseStatus.Pending,
        "voided" => PurchaseStatus.Voided,
        _ => throw new InvalidOperationException($"ledger_commit answered an unknown status '{status}'."),
    };

    private static string KindOf(FollowUp kind) => kind switch
    {
        FollowUp.Cancel => "cancel",
        FollowUp.Post => "post",
        FollowUp.Void => "void",
        FollowUp.Expire => "expire",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown follow-up."),
    };

    private static LedgerEntryKind KindOf(string kind, bool paid) => kind switch
    {
        "purchase" => paid ? LedgerEntryKind.Hold : LedgerEntryKind.Purchase,
        "cancel" => LedgerEntryKind.Cancel,
        "post" => LedgerEntryKind.Post,
        "void" => LedgerEntryKind.Void,
        "expire" => LedgerEntryKind.Expire,
        _ => throw new InvalidOperationException($"The ledger holds an entry of unknown kind '{kind}'."),
    };

    private static CommitAnswer[] Complete(CommitAnswer?[] answers) =>
        Array.ConvertAll(answers, a => a
            ?? throw new InvalidOperationException("ledger_commit left an item of the batch unanswered."));
}
