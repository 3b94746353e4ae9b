using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Orleans.Concurrency;

namespace Ledger.Grains;

/// <summary>
/// One citizen. It answers a double tap or retry from memory (the same key in flight shares one answer;
/// a key answered recently gets the same answer), and it carries what the citizen has bought to the
/// program-month grain, which rejects an over-limit purchase without a database round trip. It writes
/// nothing: the database re-checks every purchase at commit.
/// </summary>
/// <remarks>
/// What it knows of a program-month is learned from the database's answers, so a new activation knows
/// nothing. A purchase that is accepted reaches the database, which answers a key already bought with the
/// first purchase and counts the usage exactly. A rejection made without the database (sold out, over the
/// limit, closed...) could be wrong for a grain that knows nothing: the key may have bought before, and
/// the usage it handed over may be too low. If the program-month grain says the citizen never bought
/// there, the rejection stands. Otherwise, before the first such rejection in a program-month (or for a
/// key whose purchase failed with an unknown outcome), the grain reads the citizen's history there,
/// replays a key that already bought, and decides again with the exact usage. The operations of one
/// program-month run one at a time, so what the grain learns is never overwritten by an older answer.
/// </remarks>
[Reentrant]
[GrainType(LedgerGrains.CitizenGrainType)]
public sealed class CitizenGrain(IGrainFactory grains, LedgerStore store) : Grain, ICitizenGrain
{
    /// <summary>Purchases of one citizen in flight at once, and operations waiting in one program-month; past this, Busy.</summary>
    public const int InFlightMax = 16;

    /// <summary>
    /// Program-months whose operations and knowledge are held at once; past this the idle ones are forgotten (a
    /// citizen buys in a few, so only requests naming many program-months reach it).
    /// </summary>
    public const int MonthsMax = 64;

    // By program-month and scoped key (PurchaseRequests.ScopedKey): a teller's key is the teller's.
    private readonly RememberedAnswers<(ProgramMonth, string), Remembered> answers = new(r => r.Answer.IsCompleted);
    private readonly Dictionary<ProgramMonth, MonthQueue> months = [];
    private int inFlight;

    private string CitizenId => this.GetPrimaryKeyString();

    public Task<PurchaseResult> PurchaseAsync(PurchaseRequest request)
    {
        if (request.CitizenId != CitizenId)
        {
            throw new ArgumentException($"A purchase for citizen {request.CitizenId} reached {CitizenId}.", nameof(request));
        }

        PurchaseRequests.EnsureWellFormed(request);

        var key = (request.ProgramMonth, request.ScopedKey());
        if (answers.TryGet(key, out var remembered))
        {
            return remembered.Request == request
                ? remembered.Answer
                : Task.FromResult(PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict));
        }

        if (inFlight >= InFlightMax)
        {
            return Task.FromResult(PurchaseResult.Of(PurchaseOutcome.Busy));
        }

        var answer = BuyAsync(request, key.Item2);
        // An answer that is already there and not final (Busy, or a failure) must not be remembered: a
        // retry with the key has to try again. Nor a conflict: the key's answer is its first request's.
        if (!answer.IsCompleted || answer is { IsCompletedSuccessfully: true, Result: { IsFinal: true, Outcome: not PurchaseOutcome.IdempotencyConflict } })
        {
            answers.Remember(key, new Remembered(request, answer));
        }

        return answer;
    }

    public Task<CancelResult> CancelAsync(ProgramMonth programMonth, long purchaseSequence) =>
        InOrderAsync(programMonth, async month =>
        {
            var city = grains.GetCityMonth(programMonth);
            var purchase = await city.GetPurchaseAsync(purchaseSequence);
            if (purchase is null || purchase.CitizenId != CitizenId)
            {
                return new CancelResult(CancelOutcome.NotFound);
            }

            var result = await city.CancelAsync(purchaseSequence);
            if (result is { Outcome: CancelOutcome.Cancelled, Purchase: { } cancelled })
            {
                month.LearnCancel(result.CitizenUsed, cancelled);
                RememberCancelled(cancelled);
            }

            return result;
        },
        busy: new CancelResult(CancelOutcome.Busy));

    public Task<CitizenMonth?> GetMonthAsync(ProgramMonth programMonth) =>
        InOrderAsync(programMonth, async month =>
        {
            var snapshot = await grains.GetCityMonth(programMonth).GetSnapshotAsync();
            if (snapshot is null)
            {
                return null;
            }

            var history = await LoadHistoryAsync(programMonth, month);
            var limit = snapshot.Policy.CitizenMonthlyLimit;
            return new CitizenMonth(
                limit, history.Used, Math.Max(0, limit - history.Used),
                history.PurchasesByKey.Values.OrderBy(p => p.Sequence).ToArray());
        },
        busy: null);

    private async Task<PurchaseResult> BuyAsync(PurchaseRequest request, string scopedKey)
    {
        var key = (request.ProgramMonth, scopedKey);
        inFlight++;
        try
        {
            var result = await InOrderAsync(
                request.ProgramMonth, month => DecideAsync(request, scopedKey, month), busy: PurchaseResult.Of(PurchaseOutcome.Busy));
            LedgerMetrics.CountPurchase(request.ProgramMonth, result.Outcome);
            if (!result.IsFinal || result.Outcome == PurchaseOutcome.IdempotencyConflict)
            {
                // Busy or the pre-queue is no answer: nothing happened, so a retry with the key must try again. A
                // conflict is not the key's answer either: its first request still gets its own.
                answers.Forget(key);
            }

            return result;
        }
        catch
        {
            // The purchase's fate is unknown here; a retry asks again and the database settles it.
            answers.Forget(key);
            LedgerMetrics.CountFailedPurchase(request.ProgramMonth);
            throw;
        }
        finally
        {
            inFlight--;
        }
    }

    private async Task<PurchaseResult> DecideAsync(PurchaseRequest request, string scopedKey, CitizenMonth<Purchase> month)
    {
        var city = grains.GetCityMonth(request.ProgramMonth);
        if (month.FindBought(scopedKey) is { } first)
        {
            return await ReplayAsync(request, first, month, city);
        }

        PurchaseResult result;
        try
        {
            result = await city.PurchaseAsync(new PurchaseOrder(request, month.UsedAtLeast, month.IsExactFor(scopedKey)));
            if (month.MustCheck(result.Outcome, result.CitizenUsed, scopedKey))
            {
                if (month.TryLearnNeverBought(result.CitizenHasBought, scopedKey))
                {
                    return result;
                }

                await LoadHistoryAsync(request.ProgramMonth, month, settledKey: scopedKey);
                if (month.FindBought(scopedKey) is { } bought)
                {
                    return await ReplayAsync(request, bought, month, city);
                }

                result = await city.PurchaseAsync(new PurchaseOrder(request, month.UsedAtLeast, month.IsExactFor(scopedKey)));
            }
        }
        catch
        {
            // The attempt may still commit: until the database has answered for the key, a refusal of it made
            // without the database is checked against the history first.
            month.MarkInDoubt(scopedKey);
            throw;
        }

        if (result.Outcome == PurchaseOutcome.Pending)
        {
            // The usage counts a hold that may yet be voided: it is read again before the next refusal made without the database.
            month.Forget();
            return result;
        }

        month.Learn(scopedKey, result.CitizenUsed, result is { Outcome: PurchaseOutcome.Confirmed, Purchase: { } purchase } ? purchase : null);
        return result;
    }

    /// <summary>
    /// The answer to a key that already bought: the first purchase (declined, if its hold was voided), or a conflict
    /// if the body differs. A hold the history shows pending is read again as it stands now, never judged afresh:
    /// its own amount would refuse it.
    /// </summary>
    private static async Task<PurchaseResult> ReplayAsync(
        PurchaseRequest request, Purchase first, CitizenMonth<Purchase> month, ICityMonthGrain city)
    {
        if (!CitizenMonth<Purchase>.IsRetryOf(request.ToClaim(), first))
        {
            return PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict);
        }

        if (first.Status == PurchaseStatus.Pending && await city.GetPurchaseAsync(first.Sequence) is { } now && now != first)
        {
            // Its hold ended (or it changed since): what was known of the usage is read again when next needed.
            month.Forget();
            first = now;
        }

        return first.Status switch
        {
            PurchaseStatus.Pending => new PurchaseResult(PurchaseOutcome.Pending, first),
            PurchaseStatus.Voided => new PurchaseResult(PurchaseOutcome.PaymentDeclined, first, CitizenUsed: month.UsedAtLeast),
            _ => PurchaseResult.Confirmed(first, month.UsedAtLeast),
        };
    }

    private async Task<CitizenHistory> LoadHistoryAsync(
        ProgramMonth programMonth, CitizenMonth<Purchase> month, string? settledKey = null)
    {
        var history = await store.ReadCitizenHistoryAsync(programMonth, CitizenId);
        month.LearnHistory(history.Used, history.PurchasesByKey, settledKey);
        return history;
    }

    /// <summary>
    /// Runs the operations of one program-month one after another. When one fails, its outcome is unknown
    /// (a purchase or cancel may have landed), so what the grain knew of the program-month is dropped and
    /// read again before the next rejection made without the database.
    /// </summary>
    /// <param name="busy">The answer when too many operations wait already; null to throw instead.</param>
    private Task<T> InOrderAsync<T>(ProgramMonth programMonth, Func<CitizenMonth<Purchase>, Task<T>> operation, T? busy)
    {
        if (QueueOf(programMonth) is not { Waiting: < InFlightMax } month)
        {
            return busy is not null
                ? Task.FromResult(busy)
                : throw new LedgerUnavailableException($"Too many requests of citizen {CitizenId} wait in {programMonth}.");
        }

        var previous = month.Last;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        month.Last = done.Task;
        month.Waiting++;
        return RunAsync();

        async Task<T> RunAsync()
        {
            try
            {
                await previous;
                return await operation(month.Known);
            }
            catch
            {
                month.Known.Forget();
                throw;
            }
            finally
            {
                month.Waiting--;
                done.SetResult();
            }
        }
    }

    /// <summary>
    /// The program-month's queue, made if need be; null when <see cref="MonthsMax"/> program-months have operations
    /// waiting. To make room, what is known of every idle program-month is forgotten, as a new activation knows
    /// nothing of it: it is read again when needed.
    /// </summary>
    private MonthQueue? QueueOf(ProgramMonth programMonth)
    {
        if (months.TryGetValue(programMonth, out var month))
        {
            return month;
        }

        if (months.Count >= MonthsMax)
        {
            foreach (var idle in months.Where(m => m.Value.Waiting == 0).Select(m => m.Key).ToArray())
            {
                months.Remove(idle);
            }
        }

        return months.Count < MonthsMax ? months[programMonth] = new MonthQueue() : null;
    }

    /// <summary>A cancelled purchase shows as cancelled in every answer that is remembered for it.</summary>
    private void RememberCancelled(Purchase cancelled) =>
        answers.Revise((key, remembered) =>
            key.Item1 == cancelled.ProgramMonth
            && remembered.Answer.IsCompletedSuccessfully
            && remembered.Answer.Result.Purchase?.Sequence == cancelled.Sequence
                ? remembered with { Answer = Task.FromResult(remembered.Answer.Result with { Purchase = cancelled }) }
                : null);

    private sealed record Remembered(PurchaseRequest Request, Task<PurchaseResult> Answer);

    /// <summary>The operations of one program-month, one at a time, and what the grain knows of it.</summary>
    private sealed class MonthQueue
    {
        public CitizenMonth<Purchase> Known { get; } = new();

        /// <summary>The last operation queued for this program-month.</summary>
        public Task Last { get; set; } = Task.CompletedTask;

        /// <summary>Operations queued or running for this program-month.</summary>
        public int Waiting { get; set; }
    }
}
