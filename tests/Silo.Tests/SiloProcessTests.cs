using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Sale;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;

namespace Ledger.Silo.Tests;

[Collection(SiloProcessCollection.Name)]
[Trait("Category", TestCategories.Process)]
public sealed class SiloProcessTests
{
    private static readonly TimeSpan ShutdownTimeoutMax = TimeSpan.FromSeconds(60);

    internal static string ConnectionString =>
        TestPostgres.ConnectionString;

    [Fact]
    public async Task Silo_process_serves_clients_found_through_the_membership_table_and_keeps_purchases_across_a_restart()
    {
        var clusterId = $"silo-test-{Guid.NewGuid():N}";
        var sale = new ProgramMonth($"s{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
        var request = new PurchaseRequest(sale, "citizen-1", "key-1", Channel.Mobile, 200_000);
        var policy = new Policy(DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, 200_000, 10_000, new ChannelAmounts(1_000_000, 0));

        PurchaseResult first;
        await using (var silo = await SiloProcess.StartAsync(ConnectionString, clusterId))
        {
            using var client = await StartClientAsync(clusterId);
            var grains = client.Services.GetRequiredService<IClusterClient>();
            Assert.Equal(SetPolicyOutcome.Saved, (await grains.GetGrain<ICityMonthGrain>(sale.Key).SetPolicyAsync(policy)).Outcome);
            first = await grains.GetGrain<ICitizenGrain>(request.CitizenId).PurchaseAsync(request);
            Assert.Equal(PurchaseOutcome.Confirmed, first.Outcome);

            Assert.Equal(0, await silo.TerminateAsync(ShutdownTimeoutMax));
            Assert.Equal(["Dead"], await MembershipStatusesAsync(clusterId));
            await client.StopAsync();
        }

        await using (var restarted = await SiloProcess.StartAsync(ConnectionString, clusterId))
        {
            using var client = await StartClientAsync(clusterId);
            var grains = client.Services.GetRequiredService<IClusterClient>();

            var retry = await grains.GetGrain<ICitizenGrain>(request.CitizenId).PurchaseAsync(request);
            var snapshot = await grains.GetGrain<ICityMonthGrain>(sale.Key).GetSnapshotAsync();

            Assert.Equal(first.Purchase, retry.Purchase);
            Assert.Equal(policy, snapshot!.Policy);
            Assert.Equal(200_000, snapshot.Mobile.Sold);
            Assert.Contains("Active", await MembershipStatusesAsync(clusterId));
            Assert.Equal(0, await restarted.TerminateAsync(ShutdownTimeoutMax));
        }
    }

    [Fact]
    public async Task A_refusal_written_in_the_background_is_the_keys_answer_after_the_silo_is_killed_and_a_cancel_made_room()
    {
        var clusterId = $"silo-test-{Guid.NewGuid():N}";
        var sale = new ProgramMonth($"r{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
        var policy = new Policy(DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, 200_000, 10_000, new ChannelAmounts(1_000_000, 0));
        var bought = new PurchaseRequest(sale, "citizen-1", "key-1", Channel.Mobile, 200_000);
        var over = new PurchaseRequest(sale, "citizen-1", "key-2", Channel.Mobile, 10_000);

        long sequence;
        (int Silo, int Gateway) ports;
        await using (var silo = await SiloProcess.StartAsync(ConnectionString, clusterId))
        {
            ports = (silo.SiloPort, silo.GatewayPort);
            using var client = await StartClientAsync(clusterId);
            var grains = client.Services.GetRequiredService<IClusterClient>();
            Assert.Equal(SetPolicyOutcome.Saved, (await grains.GetGrain<ICityMonthGrain>(sale.Key).SetPolicyAsync(policy)).Outcome);
            sequence = (await grains.GetGrain<ICitizenGrain>(bought.CitizenId).PurchaseAsync(bought)).Purchase!.Sequence;
            Assert.Equal(PurchaseOutcome.LimitExceeded, (await grains.GetGrain<ICitizenGrain>(over.CitizenId).PurchaseAsync(over)).Outcome);

            // No deactivation writes it: the silo dies as soon as the background writer made the refusal durable.
            await Eventually.UntilAsync(() => RejectionsAsync(sale), written => written == 1);
            await silo.KillAsync();
            await client.StopAsync();
        }

        // On its old ports, as ./ledger restarts it: the new incarnation declares the killed one dead at once.
        await using (var restarted = await SiloProcess.StartAsync(ConnectionString, clusterId, ports.Silo, ports.Gateway))
        {
            using var client = await StartClientAsync(clusterId);
            var citizen = client.Services.GetRequiredService<IClusterClient>().GetGrain<ICitizenGrain>(over.CitizenId);
            Assert.Equal(CancelOutcome.Cancelled, (await citizen.CancelAsync(sale, sequence)).Outcome);

            var retry = await citizen.PurchaseAsync(over);
            var newKey = await citizen.PurchaseAsync(over with { IdempotencyKey = "key-3" });

            Assert.Equal((PurchaseOutcome.LimitExceeded, 0L), (retry.Outcome, retry.Remaining));
            Assert.Equal(PurchaseOutcome.Confirmed, newKey.Outcome);
            Assert.Equal(0, await restarted.TerminateAsync(ShutdownTimeoutMax));
        }
    }

    [Fact]
    public async Task Silo_process_refuses_a_database_newer_than_its_code_with_a_message_not_a_stack_trace()
    {
        // An empty database but for a history at a version no build has yet.
        var schema = $"newer_{Guid.NewGuid():N}";
        await using (var data = NpgsqlDataSource.Create(ConnectionString))
        {
            await using var command = data.CreateCommand(
                $"CREATE SCHEMA {schema}; CREATE TABLE {schema}.ledger_schema_history (version integer, name text, sha256 text); " +
                $"INSERT INTO {schema}.ledger_schema_history VALUES (9999, 'db/9999_future.sql', 'unknown')");
            await command.ExecuteNonQueryAsync();
        }

        var database = new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => SiloProcess.StartAsync(database, $"silo-test-{Guid.NewGuid():N}"));

        Assert.StartsWith("The silo exited with 2:", refused.Message);
        Assert.Contains(
            "Ledger silo refuses to start: The database is at schema version 9999 (db/9999_future.sql), and this silo knows up to version",
            refused.Message);
        Assert.DoesNotContain("Unhandled exception", refused.Message);
    }

    internal static async Task<IHost> StartClientAsync(string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId))
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", ConnectionString)));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<long> RejectionsAsync(ProgramMonth sale)
    {
        await using var data = NpgsqlDataSource.Create(ConnectionString);
        await using var command = data.CreateCommand("SELECT count(*) FROM ledger_rejections WHERE program_id = $1 AND month = $2");
        command.Parameters.Add(new() { Value = sale.ProgramId });
        command.Parameters.Add(new() { Value = sale.Month });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The silos of a cluster as the membership table lists them (Orleans' SiloStatus names).</summary>
    private static async Task<IReadOnlyList<string>> MembershipStatusesAsync(string clusterId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT status FROM orleansmembershiptable WHERE deploymentid = $1 ORDER BY starttime", connection);
        command.Parameters.Add(new() { Value = clusterId });
        await using var reader = await command.ExecuteReaderAsync();
        var statuses = new List<string>();
        while (await reader.ReadAsync())
        {
            statuses.Add(((Orleans.Runtime.SiloStatus)reader.GetInt32(0)).ToString());
        }

        return statuses;
    }
}
