using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Chaos;

/// <summary>
/// One buyer's request, as an app sends it: retried with the same idempotency key after an error or a Busy
/// answer, backing off, until a final answer or until the run gives up.
/// </summary>
public sealed class PurchaseClient(PurchaseRequest request)
{
    /// <summary>The first wait between attempts; it doubles up to <see cref="RetryBackoffMax"/>.</summary>
    public static readonly TimeSpan RetryBackoffMin = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan RetryBackoffMax = TimeSpan.FromSeconds(1);

    public PurchaseRequest Request { get; } = request;

    /// <summary>The first answer that was not Busy, or null while there is none.</summary>
    public PurchaseResult? Final { get; private set; }

    /// <summary>Every confirmation this client was ever given (a retry may be told again).</summary>
    public List<Purchase> ConfirmationsSeen { get; } = [];

    public int Attempts { get; private set; }

    public int Failures { get; private set; }

    public int Busy { get; private set; }

    /// <summary>The last error an attempt ended in, for the report.</summary>
    public string? LastError { get; private set; }

    /// <param name="onFinal">Called once, with the final answer and when (clock ticks) its attempt started.</param>
    /// <param name="giveUp">Cancelled when the run stops waiting; the client then stops retrying.</param>
    public async Task RunAsync(
        IGrainFactory grains, Stopwatch clock, Action<PurchaseClient, long> onFinal, CancellationToken giveUp)
    {
        var backoff = RetryBackoffMin;
        var citizen = grains.GetGrain<ICitizenGrain>(Request.CitizenId);
        while (!giveUp.IsCancellationRequested)
        {
            var startedAt = clock.ElapsedTicks;
            Attempts++;
            try
            {
                var result = await citizen.PurchaseAsync(Request);
                if (result.IsConfirmed)
                {
                    ConfirmationsSeen.Add(result.Purchase!);
                }

                if (result.Outcome != PurchaseOutcome.Busy)
                {
                    Final = result;
                    onFinal(this, startedAt);
                    return;
                }

                Busy++;
            }
            catch (Exception e)
            {
                Failures++;
                LastError = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
            }

            try
            {
                // Jitter, so that the clients turned away together do not all come back together.
                await Task.Delay(backoff * (0.5 + Random.Shared.NextDouble() / 2), giveUp);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = backoff * 2 < RetryBackoffMax ? backoff * 2 : RetryBackoffMax;
        }
    }

    public string Describe() =>
        $"{Request.CitizenId}/{Request.IdempotencyKey}: final {Final?.Outcome.ToString() ?? "none"} " +
        $"{Final?.Purchase?.PurchaseId}, {Attempts} attempts, {Failures} failed, {Busy} busy, " +
        $"confirmations seen [{string.Join(", ", ConfirmationsSeen.Select(p => p.PurchaseId))}], last error {LastError ?? "none"}";
}
