using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Npgsql;

namespace Ledger.Bench;

/// <summary>The conventional baseline on the same database, at most <c>connections</c> transactions at once.</summary>
public sealed class BaselineDriver(NpgsqlDataSource dataSource) : ILedgerDriver
{
    private readonly BaselineStore store = new(dataSource);

    public string Name => "baseline";

    public Task SetUpAsync(Scenario scenario) => store.SetUpAsync(scenario.Sales);

    public async Task<Answer> GetStateAsync(Sale sale, string citizenId)
    {
        try
        {
            await store.RemainingAsync(sale.ProgramMonth);
            return new Answer(Outcome.State);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Answer.Failed(e.GetType().Name);
        }
    }

    public async Task<Answer> PurchaseAsync(
        Sale sale, string citizenId, string idempotencyKey, Channel channel, long amount, string? queueTicket)
    {
        try
        {
            var (outcome, entryId) = await store.BuyAsync(new PurchaseRequest(sale.ProgramMonth, citizenId, idempotencyKey, channel, amount));
            return outcome switch
            {
                "confirmed" or "duplicate" => new Answer(Outcome.Confirmed, entryId),
                "sold-out" => new Answer(Outcome.SoldOut),
                "limit" => new Answer(Outcome.LimitExceeded),
                var other => new Answer(Outcome.Rejected, Detail: other),
            };
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Answer.Failed(e.GetType().Name);
        }
    }

    public async Task<Answer> CancelAsync(Sale sale, string citizenId, long sequence)
    {
        try
        {
            var outcome = await store.CancelAsync(sale.ProgramMonth, sequence);
            return outcome == "cancelled" ? new Answer(Outcome.Cancelled, sequence) : Answer.Failed($"cancel {outcome}");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Answer.Failed(e.GetType().Name);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
