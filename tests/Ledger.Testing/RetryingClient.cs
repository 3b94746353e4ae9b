using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// One buyer's request, as an app sends it, and everything it was told: retried with the same idempotency key
/// after an exception (a timeout, a silo or database unavailable) or a Busy answer, backing off, until the first
/// final answer or until the run gives up. A Pending answer (a hold the provider has not settled yet) is asked again
/// with the key in the same way, until the hold is confirmed or declined.
/// </summary>
public sealed class RetryingClient(PurchaseRequest request)
{
    private const int ErrorsKept = 3;

    public PurchaseRequest Request { get; } = request;

    /// <summary>The first answer that was neither Busy nor Pending, or null while there is none.</summary>
    public PurchaseResult? Final { get; private set; }

    /// <summary>Every confirmation this client was ever given (a retry may be told again).</summary>
    public List<Purchase> ConfirmationsSeen { get; } = [];

    /// <summary>The first errors attempts ended in.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>The last error an attempt ended in.</summary>
    public string? LastError { get; private set; }

    public int Attempts { get; private set; }

    public int Failures { get; private set; }

    public int Busy { get; private set; }

    /// <summary>Answers that the purchase was pending, each followed by asking again with the key.</summary>
    public int Pending { get; private set; }

    /// <summary>What the client was told, for the auditor.</summary>
    public IEnumerable<Confirmation> Confirmations => ConfirmationsSeen.Select(p => Confirmation.Of(p, Request.IdempotencyKey));

    /// <summary>The request and its final answer, for the auditor.</summary>
    public BuyerAnswer Answer => new(Request, Final, Describe());

    /// <param name="grains">Where the request goes: the citizen's grain.</param>
    /// <param name="clock">Times each attempt's start for <paramref name="onFinal"/>.</param>
    /// <param name="giveUp">Cancelled when the run stops waiting; the client then stops retrying.</param>
    /// <param name="gate">Bounds the attempts in flight across clients, or null.</param>
    /// <param name="onFinal">Called once, with the final answer in <see cref="Final"/>, and when (clock ticks) its attempt started.</param>
    /// <param name="onFailed">Called after each attempt that ended in an exception.</param>
    public async Task RunAsync(
        IGrainFactory grains, RetryPolicy policy, Stopwatch clock, CancellationToken giveUp,
        SemaphoreSlim? gate = null, Action<RetryingClient, long>? onFinal = null, Action? onFailed = null)
    {
        var backoff = policy.BackoffMin;
        var citizen = grains.GetGrain<ICitizenGrain>(Request.CitizenId);
        while (!giveUp.IsCancellationRequested)
        {
            var startedAt = clock.ElapsedTicks;
            if (await AttemptAsync(citizen, gate, onFailed) is { } final)
            {
                Final = final;
                onFinal?.Invoke(this, startedAt);
                return;
            }

            try
            {
                await Task.Delay(policy.Wait(backoff), giveUp);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = policy.Next(backoff);
        }
    }

    /// <summary>Retries <paramref name="request"/> steadily, as the tests' clients do, until its final answer.</summary>
    /// <exception cref="TimeoutException">No final answer came within <paramref name="deadline"/>.</exception>
    public static async Task<PurchaseResult> FinalAnswerAsync(IGrainFactory grains, PurchaseRequest request, TimeSpan deadline)
    {
        var client = new RetryingClient(request);
        using var giveUp = new CancellationTokenSource(deadline);
        await client.RunAsync(grains, RetryPolicy.Steady, Stopwatch.StartNew(), giveUp.Token);
        return client.Final ?? throw new TimeoutException($"No final answer within {deadline}: {client.Describe()}");
    }

    public string Describe() =>
        $"{Request.CitizenId}/{Request.IdempotencyKey}: final {Final?.Outcome.ToString() ?? "none"} " +
        $"{Final?.Purchase?.PurchaseId}, {Attempts} attempts, {Failures} failed, {Busy} busy, {Pending} pending, " +
        $"confirmations seen [{string.Join(", ", ConfirmationsSeen.Select(p => p.PurchaseId))}], " +
        $"errors [{string.Join("; ", Errors)}], last error {LastError ?? "none"}";

    /// <returns>The final answer, or null after an error, Busy or Pending.</returns>
    private async Task<PurchaseResult?> AttemptAsync(ICitizenGrain citizen, SemaphoreSlim? gate, Action? onFailed)
    {
        if (gate is not null)
        {
            await gate.WaitAsync();
        }

        Attempts++;
        PurchaseResult result;
        try
        {
            result = await citizen.PurchaseAsync(Request);
        }
        catch (Exception e)
        {
            Failures++;
            LastError = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
            if (Errors.Count < ErrorsKept)
            {
                Errors.Add(LastError);
            }

            onFailed?.Invoke();
            return null;
        }
        finally
        {
            gate?.Release();
        }

        if (result.IsConfirmed)
        {
            ConfirmationsSeen.Add(result.Purchase!);
        }

        if (result.Outcome == PurchaseOutcome.Busy)
        {
            Busy++;
            return null;
        }

        if (result.Outcome == PurchaseOutcome.Pending)
        {
            Pending++;
            return null;
        }

        return result;
    }
}
