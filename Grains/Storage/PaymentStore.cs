using Ledger.Grains.Interfaces;
using Ledger.Grains.Payments;
using Ledger.Sale;
using Npgsql;

namespace Ledger.Grains.Storage;

/// <summary>The payment side of the ledger's tables (db/0005_payments.sql): open holds, refunds owed, and what reconciliation reads.</summary>
public sealed class PaymentStore(NpgsqlDataSource dataSource)
{
    /// <summary>The holds of a program-month not yet ended, in sequence order.</summary>
    public async Task<IReadOnlyList<OpenHold>> ReadOpenHoldsAsync(ProgramMonth programMonth)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT sequence, citizen_id, channel, amount, price, expires_at FROM ledger_open_holds " +
            "WHERE program_id = $1 AND month = $2 ORDER BY sequence");
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        await using var reader = await command.ExecuteReaderAsync();
        var holds = new List<OpenHold>();
        while (await reader.ReadAsync())
        {
            holds.Add(new OpenHold(
                reader.GetInt64(0), reader.GetString(1), ChannelNames.Parse(reader.GetString(2)), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return holds;
    }

    /// <summary>Every program-month with a hold not yet ended.</summary>
    public async Task<IReadOnlyList<ProgramMonth>> ReadProgramMonthsWithOpenHoldsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT DISTINCT program_id, month FROM ledger_open_holds");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<ProgramMonth>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(new ProgramMonth(reader.GetString(0), reader.GetString(1)));
        }

        return found;
    }

    /// <summary>Refunds still owed, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<OwedRefund>> ReadOwedRefundsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT program_id, month, purchase_sequence, citizen_id, amount, reason, created_at FROM payment_refunds " +
            "WHERE state = 'pending' ORDER BY created_at LIMIT $1");
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var owed = new List<OwedRefund>();
        while (await reader.ReadAsync(cancellationToken))
        {
            owed.Add(new OwedRefund(
                new ProgramMonth(reader.GetString(0), reader.GetString(1)), reader.GetInt64(2), reader.GetString(3),
                reader.GetInt64(4), reader.GetString(5) == "expire", reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return owed;
    }

    /// <summary>Marks a refund delivered (<paramref name="returned"/>) or owed no more (the price was never taken).</summary>
    public async Task SettleRefundAsync(OwedRefund refund, bool returned, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE payment_refunds SET state = $4, settled_at = $5 " +
            "WHERE program_id = $1 AND month = $2 AND purchase_sequence = $3 AND state = 'pending'");
        command.Parameters.Add(new() { Value = refund.ProgramMonth.ProgramId });
        command.Parameters.Add(new() { Value = refund.ProgramMonth.Month });
        command.Parameters.Add(new() { Value = refund.PurchaseSequence });
        command.Parameters.Add(new() { Value = returned ? "done" : "none" });
        command.Parameters.Add(new() { Value = at.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The paid purchases of a program-month after sequence <paramref name="after"/>, at most <paramref name="limit"/>,
    /// with how each stands: what the payer should have paid net, or null while that is not settled yet.
    /// </summary>
    public async Task<IReadOnlyList<PaidPurchase>> ReadPaidPurchasesAsync(ProgramMonth programMonth, long after, int limit)
    {
        await using var command = dataSource.CreateCommand(PaidPurchasesSql);
        command.Parameters.Add(new() { Value = programMonth.ProgramId });
        command.Parameters.Add(new() { Value = programMonth.Month });
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync();
        var paid = new List<PaidPurchase>();
        while (await reader.ReadAsync())
        {
            paid.Add(new PaidPurchase(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
        }

        return paid;
    }

    // Net owed by the ledger, per paid purchase: the price once posted, less the price once a refund of it is done;
    // 0 for a void, or an expiry whose check found nothing taken (or whose refund is done); null while the hold is
    // open or a refund is pending.
    private const string PaidPurchasesSql =
        "SELECT p.sequence, p.citizen_id, p.price, " +
        "CASE " +
        "WHEN e.kind IS NULL OR r.state = 'pending' THEN NULL " +
        "WHEN e.kind = 'post' AND r.state IS NULL THEN p.price " +
        "ELSE 0 END " +
        "FROM ledger_entries p " +
        "LEFT JOIN ledger_entries e ON e.kind IN ('post', 'void', 'expire') AND e.purchase_sequence = p.sequence " +
        "AND (e.program_id || '/' || e.month) = ($1 || '/' || $2) " +
        "LEFT JOIN payment_refunds r ON r.program_id = p.program_id AND r.month = p.month AND r.purchase_sequence = p.sequence " +
        "WHERE p.program_id = $1 AND p.month = $2 AND p.kind = 'purchase' AND p.payment IS NOT NULL AND p.sequence > $3 " +
        "ORDER BY p.sequence LIMIT $4";
}

/// <summary>
/// A price owed back to a payer: for a cancel of a paid purchase, or (<see cref="ForExpiry"/>) for a hold that
/// expired, owed only if the provider withdrew for it after all.
/// </summary>
public sealed record OwedRefund(
    ProgramMonth ProgramMonth, long PurchaseSequence, string CitizenId, long Amount, bool ForExpiry, DateTimeOffset CreatedAt);

/// <summary>A paid purchase as reconciliation reads it: what the payer should have paid net, or null while unsettled.</summary>
public sealed record PaidPurchase(long Sequence, string CitizenId, long Price, long? LedgerNet);
