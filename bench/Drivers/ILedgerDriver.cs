using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// One way of reaching a ledger: the grains in-process, the gateway over HTTP, or the conventional baseline.
/// Drivers turn every answer, including failures, into an <see cref="Answer"/>; they never throw for one request.
/// </summary>
public interface ILedgerDriver : IAsyncDisposable
{
    /// <summary>The mode's name in reports: grains, http, baseline, http no-op.</summary>
    string Name { get; }

    /// <summary>Sets the scenario's policies, and prepares anything per citizen (tokens) before the clock starts.</summary>
    Task SetUpAsync(Scenario scenario);

    /// <summary>Reads the sale's state as the citizen's app does, signed in (the gateway gives an anonymous reader a bucket per address).</summary>
    Task<Answer> GetStateAsync(Sale sale, string citizenId);

    /// <summary>
    /// Buys; <paramref name="queueTicket"/> is the last <c>Queue-Ticket</c> an answer to this purchase gave, brought
    /// back as API.md asks (only the gateway queues; the other drivers ignore it).
    /// </summary>
    Task<Answer> PurchaseAsync(Sale sale, string citizenId, string idempotencyKey, Channel channel, long amount, string? queueTicket);

    Task<Answer> CancelAsync(Sale sale, string citizenId, long sequence);
}
