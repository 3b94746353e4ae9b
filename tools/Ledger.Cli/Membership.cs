using Npgsql;

namespace Ledger.Cli;

/// <summary>Orleans' membership table, read as the ledger role: what each silo of the cluster says of itself.</summary>
public static class Membership
{
    // Orleans' SiloStatus, by number, as the membership table stores it.
    private const string StatusSql = """
        CASE status WHEN 0 THEN 'None' WHEN 1 THEN 'Created' WHEN 2 THEN 'Joining' WHEN 3 THEN 'Active'
          WHEN 4 THEN 'ShuttingDown' WHEN 5 THEN 'Stopping' WHEN 6 THEN 'Dead' ELSE status::text END
        """;

    /// <summary>
    /// The status of the newest generation of each silo port of the cluster at our silos' address (empty when the
    /// database or the table is not there yet). The address keeps out other hosts' silos that share the database and ports.
    /// </summary>
    public static Dictionary<int, string> StatusByPort(string connectionString, string cluster, string address)
    {
        var statuses = new Dictionary<int, string>();
        Query(connectionString, $"""
            SELECT DISTINCT ON (port) port, {StatusSql}
              FROM orleansmembershiptable WHERE deploymentid = @cluster AND address = @address
              ORDER BY port, generation DESC
            """, command =>
        {
            command.Parameters.AddWithValue("cluster", cluster);
            command.Parameters.AddWithValue("address", address);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                statuses[reader.GetInt32(0)] = reader.GetString(1);
            }
        });
        return statuses;
    }

    /// <summary>Every member of the cluster that is not dead (other hosts' too), as a JSON array, or null when unreadable.</summary>
    public static string? MembersJson(string connectionString, string cluster)
    {
        string? json = null;
        Query(connectionString, $"""
            SELECT coalesce(json_agg(json_build_object(
                     'address', address, 'siloPort', port, 'gatewayPort', proxyport, 'generation', generation,
                     'status', {StatusSql}, 'siloName', siloname, 'hostName', hostname,
                     'startTime', starttime, 'iAmAliveTime', iamalivetime) ORDER BY address, port, generation), '[]')::text
              FROM orleansmembershiptable WHERE deploymentid = @cluster AND status <> 6
            """, command =>
        {
            command.Parameters.AddWithValue("cluster", cluster);
            json = command.ExecuteScalar() as string;
        });
        return json;
    }

    private static void Query(string connectionString, string sql, Action<NpgsqlCommand> read)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString + "Pooling=false;Timeout=5;");
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            read(command);
        }
        catch (NpgsqlException)
        {
            // The database or the table is not there yet: nothing to report.
        }
    }
}
