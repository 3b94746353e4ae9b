using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains.Tests;

/// <summary>
/// One client's request and everything it was told. A client retries with the same key after an
/// exception or Busy, and stops at the first final answer.
/// </summary>
public sealed class RetryingClient(PurchaseRequest request)
{
    /// <summary>How long a client waits before it tries again: real clients back off, so the tests do.</summary>
    public static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(100);

    private const int ErrorsKept = 3;

    public PurchaseRequest Request { get; } = request;

    public PurchaseResult? Final { get; private set; }

    public List<Purchase> ConfirmationsSeen { get; } = [];

    public List<string> Errors { get; } = [];

    public int Attempts { get; private set; }

    public int Failures { get; private set; }

    public int Busy { get; private set; }

    /// <param name="gate">Bounds the attempts in flight across clients, or null.</param>
    /// <param name="deadline">When, on <paramref name="clock"/>, the client stops retrying.</param>
    /// <param name="onAnswer">Called with each final answer and when (clock ticks) its attempt started.</param>
    /// <param name="onFailed">Called after each attempt that ended in an exception.</param>
    public async Task RunAsync(
        LedgerTestCluster ledger, SemaphoreSlim? gate, Stopwatch clock, TimeSpan deadline,
        Action<RetryingClient, PurchaseResult, long>? onAnswer = null, Action? onFailed = null)
    {
        while (true)
        {
            if (gate is not null)
            {
                await gate.WaitAsync();
            }

            var startedAt = clock.ElapsedTicks;
            Attempts++;
            PurchaseResult? result = null;
            try
            {
                result = await ledger.BuyAsync(Request);
            }
            catch (Exception e)
            {
                Failures++;
                if (Errors.Count < ErrorsKept)
                {
                    Errors.Add($"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }

                onFailed?.Invoke();
            }
            finally
            {
                gate?.Release();
            }

            if (result is not null)
            {
                if (result.IsConfirmed)
                {
                    ConfirmationsSeen.Add(result.Purchase!);
                }

                if (result.Outcome == PurchaseOutcome.Busy)
                {
                    Busy++;
                }
                else
                {
                    Final = result;
                    onAnswer?.Invoke(this, result, startedAt);
                    return;
                }
            }

            if (clock.Elapsed >= deadline)
            {
                return;
            }

            await Task.Delay(RetryBackoff);
        }
    }

    public string Describe() =>
        $"{Request.CitizenId}/{Request.IdempotencyKey}: final {Final?.Outcome.ToString() ?? "none"} " +
        $"{Final?.Purchase?.PurchaseId}, {Attempts} attempts, {Failures} failed, {Busy} busy, " +
        $"confirmations seen [{string.Join(", ", ConfirmationsSeen.Select(p => p.PurchaseId))}], " +
        $"errors [{string.Join("; ", Errors)}]";
}
