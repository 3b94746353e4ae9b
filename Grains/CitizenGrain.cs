using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Orleans.Concurrency;

namespace Ledger.Grains;

/// <summary>
/// One citizen. It answers a double tap or retry from memory (the same key in flight shares one answer;
/// a key answered recently gets the same answer), and it carries what the citizen has bought to the
/// program-month grain, which rejects an over-limit purchase without a database round trip. It writes
/// nothing: the usage it knows is a lower bound learned from the database's answers, and the database
/// re-checks every purchase at commit.
/// </summary>
[Reentrant]
public sealed class CitizenGrain(IGrainFactory grains, LedgerStore store) : Grain, ICitizenGrain
{
    /// <summary>Answers remembered per citizen; the oldest finished ones are forgotten first.</summary>
    public const int AnswersMax = 64;

    /// <summary>Purchases of one citizen in flight at once; past this a purchase answers Busy.</summary>
    public const int InFlightMax = 16;

    private readonly Dictionary<(ProgramMonth, string), Remembered> answers = [];
    private readonly LinkedList<(ProgramMonth, string)> answerOrder = new();
    private readonly Dictionary<ProgramMonth, long> usedAtLeast = [];
    private readonly Dictionary<ProgramMonth, Task> lastPurchase = [];
    private int inFlight;

    private string CitizenId => this.GetPrimaryKeyString();

    public Task<PurchaseResult> PurchaseAsync(PurchaseRequest request)
    {
        if (request.CitizenId != CitizenId)
        {
            throw new ArgumentException($"A purchase for citizen {request.CitizenId} reached {CitizenId}.", nameof(request));
        }

        var key = (request.ProgramMonth, request.IdempotencyKey);
        if (answers.TryGetValue(key, out var remembered))
        {
            return remembered.Request == request
                ? remembered.Answer
                : Task.FromResult(PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict));
        }

        if (inFlight >= InFlightMax)
        {
            return Task.FromResult(PurchaseResult.Of(PurchaseOutcome.Busy));
        }

        var answer = BuyAsync(request);
        Remember(key, new Remembered(request, answer));
        return answer;
    }

    public async Task<CancelResult> CancelAsync(ProgramMonth programMonth, long purchaseSequence)
    {
        var city = grains.GetGrain<ICityMonthGrain>(programMonth.Key);
        var purchase = await city.GetPurchaseAsync(purchaseSequence);
        if (purchase is null || purchase.CitizenId != CitizenId)
        {
            return new CancelResult(CancelOutcome.NotFound);
        }

        var result = await city.CancelAsync(purchaseSequence);
        Learn(programMonth, result.CitizenUsed);
        return result;
    }

    public async Task<CitizenMonth?> GetMonthAsync(ProgramMonth programMonth)
    {
        var snapshot = await grains.GetGrain<ICityMonthGrain>(programMonth.Key).GetSnapshotAsync();
        if (snapshot is null)
        {
            return null;
        }

        var (used, purchases) = await store.ReadCitizenAsync(programMonth, CitizenId);
        Learn(programMonth, used);
        var limit = snapshot.Policy.CitizenMonthlyLimit;
        return new CitizenMonth(limit, used, Math.Max(0, limit - used), purchases);
    }

    /// <summary>
    /// Buys after the citizen's previous purchase in the same program-month has its answer, so the usage
    /// handed to the program-month grain is exact: a purchase that would pass the limit is refused there
    /// without reserving any of the cap, where two at once would both hold a reservation until the database
    /// turned one down, and meanwhile other buyers could be told the channel was sold out.
    /// </summary>
    private async Task<PurchaseResult> BuyAsync(PurchaseRequest request)
    {
        var key = (request.ProgramMonth, request.IdempotencyKey);
        var previous = lastPurchase.GetValueOrDefault(request.ProgramMonth) ?? Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lastPurchase[request.ProgramMonth] = done.Task;
        inFlight++;
        try
        {
            await previous;
            var city = grains.GetGrain<ICityMonthGrain>(request.ProgramMonth.Key);
            var result = await city.PurchaseAsync(
                new PurchaseOrder(request, usedAtLeast.GetValueOrDefault(request.ProgramMonth)));
            Learn(request.ProgramMonth, result.CitizenUsed);
            if (result.Outcome == PurchaseOutcome.Busy)
            {
                // Busy is no answer: nothing happened, so a retry with the key must try again.
                Forget(key);
            }

            return result;
        }
        catch
        {
            // The purchase's fate is unknown here; a retry asks again and the database settles it.
            Forget(key);
            throw;
        }
        finally
        {
            inFlight--;
            done.SetResult();
            if (lastPurchase.GetValueOrDefault(request.ProgramMonth) == done.Task)
            {
                lastPurchase.Remove(request.ProgramMonth);
            }
        }
    }

    private void Learn(ProgramMonth programMonth, long? used)
    {
        if (used is { } value)
        {
            usedAtLeast[programMonth] = value;
        }
    }

    private void Remember((ProgramMonth, string) key, Remembered remembered)
    {
        answers[key] = remembered;
        answerOrder.AddLast(key);
        for (var node = answerOrder.First; node is not null && answers.Count > AnswersMax;)
        {
            var next = node.Next;
            if (answers[node.Value].Answer.IsCompleted)
            {
                answers.Remove(node.Value);
                answerOrder.Remove(node);
            }

            node = next;
        }
    }

    private void Forget((ProgramMonth, string) key)
    {
        answers.Remove(key);
        answerOrder.Remove(key);
    }

    private sealed record Remembered(PurchaseRequest Request, Task<PurchaseResult> Answer);
}
