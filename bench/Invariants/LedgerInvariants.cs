using Ledger.Testing;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// The invariants after a run: each of the run's program-months read from the ledger's own tables
/// (<see cref="LedgerTables"/>) and audited with what the client saw (<see cref="LedgerAuditor"/>).
/// </summary>
public static class LedgerInvariants
{
    public static async Task<InvariantReport> CheckAsync(NpgsqlDataSource dataSource, Scenario scenario, IEnumerable<SeenPurchase> seen)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await SeenPurchases.AuditAsync(scenario, seen, sale => LedgerTables.ReadAsync(connection, sale.ProgramMonth, sale.Policy));
    }

    /// <summary>
    /// The same for the runs against a running gateway, which hold no data source of their own: null, said on
    /// stderr, when the database cannot be read (the run then reports that, rather than ending without a report).
    /// </summary>
    public static async Task<InvariantReport?> TryCheckAsync(string connectionString, Scenario scenario, IEnumerable<SeenPurchase> seen)
    {
        try
        {
            await using var data = NpgsqlDataSource.Create(connectionString);
            return await CheckAsync(data, scenario, seen);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Console.Error.WriteLine($"{scenario.Name}: the invariants could not be read: {e.Message}");
            return null;
        }
    }
}
