using Ledger.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;

namespace Ledger.Grains;

public static class LedgerSiloBuilderExtensions
{
    /// <summary>
    /// Registers what the ledger grains need: grain state through Orleans' ADO.NET provider on PostgreSQL,
    /// the ledger's own store, and the ledger's clock. Clustering is the host's choice.
    /// </summary>
    /// <param name="ledgerConnectionString">Where the ledger tables are. Usually the same database as the grain state.</param>
    /// <param name="grainStateConnectionString">Where Orleans keeps grain state; defaults to the ledger's.</param>
    public static ISiloBuilder AddLedger(
        this ISiloBuilder silo, string ledgerConnectionString, string? grainStateConnectionString = null)
    {
        silo.AddAdoNetGrainStorage(LedgerStorage.Name, options => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = grainStateConnectionString ?? ledgerConnectionString;
            // Orleans' own format, which resolves types by their [Alias]: grain state outlives renames.
            // (The provider's default, Newtonsoft JSON, stores .NET type names instead.)
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        silo.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(ledgerConnectionString).Build());
        silo.Services.AddSingleton<LedgerStore>();
        silo.Services.TryAddKeyedSingleton(LedgerClock.Key, TimeProvider.System);
        silo.AddIncomingGrainCallFilter<DatabaseExceptionFilter>();
        return silo;
    }
}
