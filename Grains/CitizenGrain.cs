using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
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
    /// <summary>Answers remembered per citizen; the oldest finished ones are forgotten first.</summary>
    public const int AnswersMax = 64;

    /// <summary>Purchases of one citizen in flight at once, and operations waiting in one program-month; past this, Busy.</summary>
    public const int InFlightMax = 16;

    /// <summary>Purchases of a program-month held from the history; past this it is read again when needed.</summary>
    public const int HistoryMax = 1_000;

    // By program-month and scoped key (PurchaseRequests.ScopedKey): a teller's key is the teller's.
    private readonly Dictionary<(ProgramMonth, string), Remembered> answers = [];
    private readonly LinkedList<(ProgramMonth, string)> answerOrder = new();
    private readonly Dictionary<ProgramMonth, MonthMemory> months = [];
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

        var answer = BuyAsync(request, key.Item2);
        // An answer that is already there and not final (Busy, or a failure) must not be remembered: a
        // retry with the key has to try again.
        if (!answer.IsCompleted || answer is { IsCompletedSuccessfully: true, Result.IsFinal: true })
        {
            Remember(key, new Remembered(request, answer));
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
                month.UsedAtLeast = result.CitizenUsed ?? month.UsedAtLeast;
                RememberCancelled(month, cancelled);
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
            if (!result.IsFinal)
            {
                // Busy or the pre-queue is no answer: nothing happened, so a retry with the key must try again.
                Forget(key);
            }

            return result;
        }
        catch
        {
            // The purchase's fate is unknown here; a retry asks again and the database settles it.
            Forget(key);
            LedgerMetrics.CountFailedPurchase(request.ProgramMonth);
            throw;
        }
        finally
        {
            inFlight--;
        }
    }

    private async Task<PurchaseResult> DecideAsync(PurchaseRequest request, string scopedKey, MonthMemory month)
    {
        if (FindBought(month, request, scopedKey) is { } first)
        {
            return Replay(request, first, month);
        }

        var city = grains.GetCityMonth(request.ProgramMonth);
        PurchaseResult result;
        try
        {
            result = await city.PurchaseAsync(new PurchaseOrder(request, month.UsedAtLeast));
            if (DecidedWithoutDatabase(result) && (month.Bought is null || month.InDoubt.Contains(scopedKey)))
            {
                if (result.CitizenHasBought == false && month.UsedAtLeast == 0)
                {
                    // The citizen never bought here: no key of theirs did, the usage 0 it was judged by is
                    // exact, and the history is known to be empty, all without a read.
                    month.Bought = new Dictionary<string, Purchase>(StringComparer.Ordinal);
                    month.InDoubt.Remove(scopedKey);
                    return result;
                }

                // The history settles a key in doubt: its attempt is no longer pending in the program-month
                // grain (which would have answered with it), so it either committed before this read or never will.
                await LoadHistoryAsync(request.ProgramMonth, month);
                month.InDoubt.Remove(scopedKey);
                if (FindBought(month, request, scopedKey) is { } bought)
                {
                    return Replay(request, bought, month);
                }

                result = await city.PurchaseAsync(new PurchaseOrder(request, month.UsedAtLeast));
            }
        }
        catch
        {
            // The attempt may still commit: until the database has answered for the key, a rejection of
            // it made without the database is checked against the history first.
            month.InDoubt.Add(scopedKey);
            throw;
        }

        if (result.CitizenUsed is not null)
        {
            month.InDoubt.Remove(scopedKey);
        }

        month.UsedAtLeast = result.CitizenUsed ?? month.UsedAtLeast;
        if (result is { Outcome: PurchaseOutcome.Confirmed, Purchase: { } purchase } && month.Bought is not null)
        {
            month.Bought[scopedKey] = purchase;
            if (month.Bought.Count > HistoryMax)
            {
                month.Bought = null;
            }
        }

        return result;
    }

    /// <summary>The answer to a key that already bought: the first purchase, or a conflict if the body differs.</summary>
    private static PurchaseResult Replay(PurchaseRequest request, Purchase first, MonthMemory month) =>
        first.Channel == request.Channel && first.Amount == request.Amount
            ? PurchaseResult.Confirmed(first, month.UsedAtLeast)
            : PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict);

    /// <summary>
    /// The purchase the request's key already bought, if the history is known and holds it: the one under
    /// its scoped key, or, for a teller, a paper purchase recorded before sellers were, under the key as sent
    /// (as ledger_commit matches them).
    /// </summary>
    private static Purchase? FindBought(MonthMemory month, PurchaseRequest request, string scopedKey) =>
        month.Bought is not { } bought ? null
        : bought.GetValueOrDefault(scopedKey)
            ?? (request.SoldBy is not null && bought.GetValueOrDefault(request.IdempotencyKey) is { Channel: Channel.Paper } legacy
                ? legacy
                : null);

    /// <summary>A rejection the program-month grain made on its own, without asking the database.</summary>
    private static bool DecidedWithoutDatabase(PurchaseResult result) =>
        result.CitizenUsed is null
        && result.Outcome is PurchaseOutcome.InvalidAmount or PurchaseOutcome.NotOpen or PurchaseOutcome.PreQueue or PurchaseOutcome.Closed
            or PurchaseOutcome.LimitExceeded or PurchaseOutcome.SoldOut;

    private async Task<CitizenHistory> LoadHistoryAsync(ProgramMonth programMonth, MonthMemory month)
    {
        var history = await store.ReadCitizenHistoryAsync(programMonth, CitizenId);
        month.UsedAtLeast = history.Used;
        month.Bought = history.PurchasesByKey.Count <= HistoryMax
            ? new Dictionary<string, Purchase>(history.PurchasesByKey, StringComparer.Ordinal)
            : null;
        return history;
    }

    /// <summary>
    /// Runs the operations of one program-month one after another. When one fails, its outcome is unknown
    /// (a purchase or cancel may have landed), so what the grain knew of the program-month is dropped and
    /// read again before the next rejection made without the database.
    /// </summary>
    /// <param name="busy">The answer when too many operations wait already; null to throw instead.</param>
    private Task<T> InOrderAsync<T>(ProgramMonth programMonth, Func<MonthMemory, Task<T>> operation, T? busy)
    {
        if (!months.TryGetValue(programMonth, out var month))
        {
            months[programMonth] = month = new MonthMemory();
        }

        if (month.Waiting >= InFlightMax)
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
                return await operation(month);
            }
            catch
            {
                month.UsedAtLeast = 0;
                month.Bought = null;
                if (month.InDoubt.Count > AnswersMax)
                {
                    // Too many to track one by one; with no history held, every rejection re-reads it.
                    month.InDoubt.Clear();
                }

                throw;
            }
            finally
            {
                month.Waiting--;
                done.SetResult();
            }
        }
    }

    /// <summary>A cancelled purchase shows as cancelled in every answer that is remembered for it.</summary>
    private void RememberCancelled(MonthMemory month, Purchase cancelled)
    {
        foreach (var key in month.Bought?.Where(p => p.Value.Sequence == cancelled.Sequence).Select(p => p.Key).ToArray() ?? [])
        {
            month.Bought![key] = cancelled;
        }

        foreach (var (key, remembered) in answers.ToArray())
        {
            if (key.Item1 == cancelled.ProgramMonth
                && remembered.Answer.IsCompletedSuccessfully
                && remembered.Answer.Result.Purchase?.Sequence == cancelled.Sequence)
            {
                answers[key] = remembered with
                {
                    Answer = Task.FromResult(remembered.Answer.Result with { Purchase = cancelled }),
                };
            }
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

    /// <summary>What the grain knows of the citizen in one program-month.</summary>
    private sealed class MonthMemory
    {
        /// <summary>
        /// The usage as the database last reported it: a lower bound (0 when unknown), exact unless another
        /// activation bought meanwhile.
        /// </summary>
        public long UsedAtLeast { get; set; }

        /// <summary>Every key the citizen bought with, once the history was read; null until then.</summary>
        public Dictionary<string, Purchase>? Bought { get; set; }

        /// <summary>The last operation queued for this program-month.</summary>
        public Task Last { get; set; } = Task.CompletedTask;

        /// <summary>Operations queued or running for this program-month.</summary>
        public int Waiting { get; set; }

        /// <summary>Keys whose purchase failed with an unknown outcome, until the database has answered for them.</summary>
        public HashSet<string> InDoubt { get; } = new(StringComparer.Ordinal);
    }
}
