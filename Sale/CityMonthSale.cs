namespace Ledger.Sale;

/// <summary>
/// The sale of one program-month, as plain bookkeeping with the clock passed in (TigerBeetle's state machine):
/// it judges each purchase against the policy in force (and the one coming in while a change is saved),
/// reserves what it admits against the cap, keeps one waiting purchase per key, takes batches for the
/// database to commit, and applies the database's answers to the head. The program-month grain does the I/O
/// around it: claiming, fencing, the flush loop and the storage calls.
/// </summary>
/// <remarks>
/// Nothing here is durable. The database re-checks every batch (ledger_commit), so what the sale decides on its
/// own is only ever a refusal the database would also make, or an admission the database then judges.
/// </remarks>
public sealed class CityMonthSale(LedgerHead head, Buyers? buyers)
{
    /// <summary>Items admitted and waiting; past this a purchase answers Busy at once.</summary>
    public const int PendingMax = 50_000;

    /// <summary>Items committed in one transaction.</summary>
    public const int BatchMax = 5_000;

    /// <summary>
    /// Buyers tracked in memory: each citizen who ever bought here and each teller's key that bought (about
    /// 100 bytes each; a program-month with more purchases than this is not tracked from activation). Past
    /// this the sale no longer tells a refused citizen whether they bought, so each first refusal costs a
    /// history read, and a teller's key reused for another citizen is found only by the database.
    /// </summary>
    public const int BuyersTrackedMax = 500_000;

    // A batch holds each citizen, and each teller's key, at most once; it looks this far down the queue for
    // more citizens before it stops.
    private const int BatchScanMax = BatchMax * 2;

    private readonly LinkedList<PendingItem> queue = new();

    // The purchases admitted and not yet answered, by citizen and scoped key: a retry that arrives while its
    // first attempt still waits gets that attempt's answer, rather than being judged against a cap that the
    // first attempt's own reservation has taken.
    private readonly Dictionary<(string CitizenId, string Key), PendingPurchase> pendingByKey = [];

    // A teller's purchases again, by scoped key alone (it names the teller): a teller's key buys once whichever
    // citizen it names, so while one purchase with it waits, another for a different citizen is a conflict.
    private readonly Dictionary<string, PendingPurchase> pendingByTellerKey = new(StringComparer.Ordinal);

    private Rules? incoming;
    private bool incomingChecked;
    private ChannelAmounts reserved = ChannelAmounts.Zero;

    /// <summary>The head as this activation last committed or read it.</summary>
    public LedgerHead Head { get; private set; } = head;

    /// <summary>The refusals answered here, so that a key refused once gets its refusal again.</summary>
    public Rejections Rejections { get; } = new();

    /// <summary>Who ever bought here; null when not tracked (too many, or unknown after a failed commit).</summary>
    public Buyers? Buyers { get; private set; } = buyers?.Count > BuyersTrackedMax ? null : buyers;

    /// <summary>The policy in force; null until one is set.</summary>
    public Rules? Rules { get; private set; }

    /// <summary>A commit's outcome is unknown: the head must be read again before the next batch.</summary>
    public bool HeadInDoubt { get; private set; }

    /// <summary>Stopped for good (fenced, or a broken invariant): it admits nothing more.</summary>
    public bool Stopped { get; private set; }

    public int Queued => queue.Count;

    /// <summary>A policy change is being saved: purchases must satisfy both policies until it ends.</summary>
    public bool IsChanging => incoming is not null;

    public void Enforce(Rules rules) => Rules = rules;

    /// <summary>Whether the citizen ever bought here; null when the sale cannot tell.</summary>
    public bool? HasBought(string citizenId) => Buyers?.Citizens.Contains(citizenId);

    /// <summary>What a channel has left under the policy in force: cap less sold, held and reserved.</summary>
    public long Remaining(Channel channel) => Rules is { } rules ? RemainingUnder(rules, channel) : 0;

    /// <summary>
    /// Judges a purchase. The answer is null when the purchase waits for its batch: then <paramref name="item"/>
    /// is the waiting item, the one <paramref name="create"/> made (from the claim, its price and
    /// <paramref name="state"/>) and queued, or the same request's first attempt still waiting. A key refused before
    /// gets its refusal again. A refusal is remembered as the key's answer when it is final: when
    /// <paramref name="usageExact"/> (the caller's usage is the database's, and the key did not buy), or when the
    /// citizen never bought here.
    /// </summary>
    public Answer? Admit<TState>(
        Claim claim, long usedAtLeast, DateTimeOffset now, TState state, Func<Claim, long, TState, PendingPurchase> create,
        out PendingPurchase? item, bool usageExact = false)
    {
        item = null;
        if (Rules is not { } rules)
        {
            return Answer.Of(PurchaseOutcome.NotFound);
        }

        if (pendingByKey.TryGetValue((claim.CitizenId, claim.Key), out var first))
        {
            item = first.Claim == claim ? first : null;
            return item is null ? Answer.Conflict : null;
        }

        if (Rejections.Find(claim) is { } rejected)
        {
            return rejected.IsRetryOf(claim) ? rejected.Answer with { CitizenHasBought = HasBought(claim.CitizenId) } : Answer.Conflict;
        }

        // A teller's key waiting (for another citizen: the same one was answered above), or already bought for
        // another citizen: a conflict, whatever else would refuse it.
        if ((claim.SoldBy is not null && pendingByTellerKey.ContainsKey(claim.Key)) || IsTellersKeyOfAnother(claim))
        {
            return Answer.Conflict;
        }

        if (RefusalOf(claim, usedAtLeast, now) is { } refusal)
        {
            var answer = refusal with { CitizenHasBought = HasBought(claim.CitizenId) };
            return Keep(claim, answer, now, final: usageExact || answer.CitizenHasBought == false) ? answer : Answer.Busy;
        }

        if (Stopped || queue.Count >= PendingMax)
        {
            return Answer.Busy;
        }

        item = create(claim, rules.PriceOf(claim.Amount), state);
        item.HoldSeconds = rules.HoldSeconds > 0 ? rules.HoldSeconds : null;
        reserved = reserved.Add(claim.Channel, claim.Amount);
        pendingByKey[(claim.CitizenId, claim.Key)] = item;
        if (claim.SoldBy is not null)
        {
            pendingByTellerKey[claim.Key] = item;
        }

        queue.AddLast(item);
        return null;
    }

    /// <summary>
    /// The final refusal a citizen who never bought here gets, judged with usage 0, without asking their
    /// citizen grain; null when the sale cannot answer alone (the citizen bought, or may have).
    /// </summary>
    public Answer? RefuseNewcomer(Claim claim, DateTimeOffset now)
    {
        if (IsTellersKeyOfAnother(claim))
        {
            return Answer.Conflict;
        }

        if (Rules is null || HasBought(claim.CitizenId) != false || pendingByKey.ContainsKey((claim.CitizenId, claim.Key)))
        {
            return null;
        }

        if (Rejections.Find(claim) is { } rejected)
        {
            // Another body with a refused key is a conflict: the citizen grain answers it.
            return rejected.IsRetryOf(claim) ? rejected.Answer with { CitizenHasBought = false } : null;
        }

        if (RefusalOf(claim, usedAtLeast: 0, now) is not { IsFinal: true } refusal)
        {
            return null;
        }

        var answer = refusal with { CitizenHasBought = false };
        return Keep(claim, answer, now, final: true) ? answer : null;
    }

    /// <summary>
    /// Remembers a final refusal as its key's answer, to be written; false when it cannot be (too many wait to be
    /// written), and then it must not be answered. Other answers need nothing.
    /// </summary>
    private bool Keep(Claim claim, Answer answer, DateTimeOffset at, bool final) =>
        !final || !Rejection.IsKept(answer.Outcome) || Rejections.TryRecord(Rejection.Of(claim, answer, at));

    /// <summary>
    /// Queues a follow-up; false when the sale is stopped, or full (Busy) for a cancel. A hold's ending is queued
    /// even when full: it frees what the hold took, and there are never more of them than holds.
    /// </summary>
    public bool TryQueue(PendingFollowUp followUp)
    {
        if (Stopped || (followUp.Kind == FollowUp.Cancel && queue.Count >= PendingMax))
        {
            return false;
        }

        queue.AddLast(followUp);
        return true;
    }

    /// <summary>Starts a policy change: from here until <see cref="EndChange"/>, purchases must satisfy both policies.</summary>
    public void BeginChange(Rules next) => incoming = next;

    /// <summary>
    /// Checks that everything sold and reserved fits under the incoming policy's caps, so that batches can be held
    /// to both from here on. Returns the channel that does not fit, with what is taken there, if any.
    /// </summary>
    public (Channel Channel, long Taken)? CheckIncomingCaps()
    {
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var taken = Head.Taken(channel) + reserved[channel];
            if (incoming!.Caps[channel] < taken)
            {
                return (channel, taken);
            }
        }

        incomingChecked = true;
        return null;
    }

    public void EndChange()
    {
        incoming = null;
        incomingChecked = false;
    }

    /// <summary>Takes the next batch off the queue: each citizen, and each teller's key, once.</summary>
    public Batch TakeBatch()
    {
        var citizens = new HashSet<string>(StringComparer.Ordinal);
        // Admission already keeps a teller's key to one waiting purchase; the batch does not rely on it.
        var tellerKeys = new HashSet<string>(StringComparer.Ordinal);
        var followUps = new List<PendingFollowUp>();
        var purchases = new List<PendingPurchase>();
        var node = queue.First;
        for (var scanned = 0; node is not null && scanned < BatchScanMax && citizens.Count < BatchMax; scanned++)
        {
            var next = node.Next;
            var tellerKey = node.Value is PendingPurchase { Claim.SoldBy: not null } purchase ? purchase.Claim.Key : null;
            if ((tellerKey is null || !tellerKeys.Contains(tellerKey)) && citizens.Add(node.Value.CitizenId))
            {
                if (tellerKey is not null)
                {
                    tellerKeys.Add(tellerKey);
                }

                queue.Remove(node);
                if (node.Value is PendingFollowUp followUp)
                {
                    followUps.Add(followUp);
                }
                else
                {
                    purchases.Add((PendingPurchase)node.Value);
                }
            }

            node = next;
        }

        return new Batch(Head, Limits(), followUps, purchases);
    }

    /// <summary>
    /// Applies a committed batch's answers to the head and the buyers, and returns each purchase's answer in
    /// batch order. Throws on a broken invariant or an answer it cannot read: a bug, after which the head is in
    /// doubt, who has bought is unknown, and the sale must stop.
    /// </summary>
    public IReadOnlyList<Answer> Apply(Batch batch, CommitResult result)
    {
        Release(batch);
        try
        {
            return ApplyAnswers(batch, result);
        }
        catch
        {
            HeadInDoubt = true;
            Buyers = null;
            throw;
        }
    }

    private Answer[] ApplyAnswers(Batch batch, CommitResult result)
    {
        if (result.FollowUps.Count != batch.FollowUps.Count || result.Purchases.Count != batch.Purchases.Count)
        {
            throw new InvalidOperationException(
                $"A batch of {batch.FollowUps.Count} follow-ups and {batch.Purchases.Count} purchases got " +
                $"{result.FollowUps.Count} and {result.Purchases.Count} answers.");
        }

        var sold = Head.Sold;
        var held = Head.Held;
        var next = Head.NextSequence;
        foreach (var followUp in batch.FollowUps)
        {
            var (channel, amount) = (followUp.Channel, followUp.Amount);
            (sold, held) = followUp.Kind switch
            {
                FollowUp.Cancel => (sold.Add(channel, -amount), held),
                FollowUp.Post => (sold.Add(channel, amount), held.Add(channel, -amount)),
                _ => (sold, held.Add(channel, -amount)),
            };
            next++;
        }

        var answers = new Answer[batch.Purchases.Count];
        for (var i = 0; i < answers.Length; i++)
        {
            var claim = batch.Purchases[i].Claim;
            var entry = result.Purchases[i];
            if (entry.Outcome == CommitOutcome.Confirmed)
            {
                if (entry.Status == PurchaseStatus.Pending)
                {
                    held = held.Add(entry.Channel, entry.Amount);
                }
                else
                {
                    sold = sold.Add(entry.Channel, entry.Amount);
                }

                next++;
                Buyers?.Add(claim.CitizenId, claim.Key);
            }

            answers[i] = AnswerFor(entry, batch.Limits);
            if (entry.Outcome == CommitOutcome.Rejected)
            {
                Rejections.RememberWritten(Rejection.Of(claim, answers[i], entry.At));
            }
            else if (entry.Outcome == CommitOutcome.LimitExceeded && !Rejections.TryRecord(Rejection.Of(claim, answers[i], entry.At)))
            {
                // Nothing was bought; the refusal cannot be kept now, so the key must ask again.
                answers[i] = Answer.Busy;
            }
        }

        Head = Head with { NextSequence = next, Sold = sold, Held = held };
        if (Buyers?.Count > BuyersTrackedMax)
        {
            Buyers = null;
        }

        CheckInvariants();
        return answers;
    }

    /// <summary>
    /// Gives up a batch that did not commit: its reservations and keys are released. When its outcome is
    /// unknown (it may have landed), the head is in doubt and who has bought is no longer known.
    /// </summary>
    public void Abandon(Batch batch, bool outcomeUnknown)
    {
        Release(batch);
        if (outcomeUnknown)
        {
            HeadInDoubt = true;
            Buyers = null;
        }
    }

    /// <summary>
    /// Takes the head read again after a commit whose outcome was unknown, and re-admits what waits against
    /// it: if that commit landed, less is left, and a waiting purchase that no longer fits is sold out. Returns
    /// those purchases, taken off the queue, with their answers. Only between batches, when every reservation
    /// belongs to a queued purchase.
    /// </summary>
    public IReadOnlyList<(PendingPurchase Purchase, Answer Answer)> Reload(LedgerHead stored, Buyers? buyers)
    {
        if (stored.Epoch != Head.Epoch)
        {
            throw new InvalidOperationException($"A head of epoch {stored.Epoch} cannot replace epoch {Head.Epoch}.");
        }

        Head = stored;
        Buyers = buyers?.Count > BuyersTrackedMax ? null : buyers;
        HeadInDoubt = false;
        reserved = ChannelAmounts.Zero;
        var caps = Limits().Caps;
        var soldOut = new List<(PendingPurchase, Answer)>();
        for (var node = queue.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value is PendingPurchase purchase)
            {
                var channel = purchase.Claim.Channel;
                var left = caps[channel] - Head.Taken(channel) - reserved[channel];
                if (purchase.Claim.Amount > left)
                {
                    queue.Remove(node);
                    Settle(purchase);
                    soldOut.Add((purchase, Answer.SoldOut(Math.Max(0, left)) with { CitizenHasBought = HasBought(purchase.CitizenId) }));
                }
                else
                {
                    reserved = reserved.Add(channel, purchase.Claim.Amount);
                }
            }

            node = next;
        }

        return soldOut;
    }

    /// <summary>Stops the sale for good and returns everything still queued (none of it was written), released.</summary>
    public IReadOnlyList<PendingItem> Stop()
    {
        Stopped = true;
        var items = queue.ToArray();
        queue.Clear();
        foreach (var purchase in items.OfType<PendingPurchase>())
        {
            reserved = reserved.Add(purchase.Claim.Channel, -purchase.Claim.Amount);
            Settle(purchase);
        }

        return items;
    }

    /// <summary>
    /// What a batch is held to in the database. The caps are those in force, and also the new ones once a
    /// change has checked that everything sold and reserved fits under them (before that a waiting purchase
    /// admitted under the old caps alone could fail the whole batch). The limit is the stricter of the two
    /// while a change is being saved, so a citizen cannot slip past a lowered limit; the database refuses
    /// such a purchase on its own, without failing the batch.
    /// </summary>
    private CommitLimits Limits()
    {
        var rules = Rules!;
        var other = incoming ?? rules;
        var caps = incomingChecked
            ? new ChannelAmounts(Math.Min(rules.Caps.Mobile, other.Caps.Mobile), Math.Min(rules.Caps.Paper, other.Caps.Paper))
            : rules.Caps;
        return new CommitLimits(Math.Min(rules.CitizenMonthlyLimit, other.CitizenMonthlyLimit), caps);
    }

    /// <summary>The refusal a purchase gets under the policy in force and the one coming in, if any.</summary>
    private Answer? RefusalOf(Claim claim, long usedAtLeast, DateTimeOffset now) =>
        Check(Rules!, claim, usedAtLeast, now) ?? (incoming is null ? null : Check(incoming, claim, usedAtLeast, now));

    private Answer? Check(Rules rules, Claim claim, long usedAtLeast, DateTimeOffset now) =>
        rules.Check(claim, usedAtLeast, RemainingUnder(rules, claim.Channel), now);

    /// <summary>
    /// Whether a teller's key already bought for another citizen, as far as the sale knows (buyers tracked);
    /// if not known, ledger_commit still answers it.
    /// </summary>
    private bool IsTellersKeyOfAnother(Claim claim) =>
        claim.SoldBy is not null && Buyers?.TellerKeys.GetValueOrDefault(claim.Key) is { } owner && owner != claim.CitizenId;

    private long RemainingUnder(Rules rules, Channel channel) =>
        Math.Max(0, rules.Caps[channel] - Head.Taken(channel) - reserved[channel]);

    private static Answer AnswerFor(CommitAnswer entry, CommitLimits limits) => entry.Outcome switch
    {
        CommitOutcome.Confirmed or CommitOutcome.Duplicate when entry.Sequence is not null =>
            new Answer(OutcomeOf(entry.Status), entry, CitizenUsed: entry.CitizenUsed),
        CommitOutcome.Conflict => Answer.Conflict,
        CommitOutcome.LimitExceeded => Answer.LimitExceeded(Math.Max(0, limits.CitizenMonthlyLimit - entry.CitizenUsed), entry.CitizenUsed),
        CommitOutcome.Rejected when entry.RejectedAs is { } outcome && Rejection.IsKept(outcome) =>
            new Answer(outcome, Remaining: entry.Remaining, OpensAt: entry.OpensAt, CitizenUsed: entry.CitizenUsed),
        _ => throw new InvalidOperationException($"A purchase cannot be answered with {entry.Outcome}."),
    };

    /// <summary>A purchase recorded as it stands: bought (also if cancelled since), a hold waiting for its payment, or voided.</summary>
    private static PurchaseOutcome OutcomeOf(PurchaseStatus status) => status switch
    {
        PurchaseStatus.Pending => PurchaseOutcome.Pending,
        PurchaseStatus.Voided => PurchaseOutcome.PaymentDeclined,
        _ => PurchaseOutcome.Confirmed,
    };

    /// <summary>A broken invariant is a bug: fail loudly rather than carry on selling.</summary>
    private void CheckInvariants()
    {
        foreach (var channel in Enum.GetValues<Channel>())
        {
            if (Head.Taken(channel) > Rules!.Caps[channel] || Head.Sold[channel] < 0 || Head.Held[channel] < 0 || reserved[channel] < 0)
            {
                throw new InvalidOperationException(
                    $"{channel}: sold {Head.Sold[channel]}, held {Head.Held[channel]}, reserved {reserved[channel]}, " +
                    $"cap {Rules.Caps[channel]}.");
            }
        }
    }

    /// <summary>Releases a batch's reservations and forgets its purchases by key, so a later retry is judged on its own.</summary>
    private void Release(Batch batch)
    {
        foreach (var purchase in batch.Purchases)
        {
            reserved = reserved.Add(purchase.Claim.Channel, -purchase.Claim.Amount);
            Settle(purchase);
        }
    }

    private void Settle(PendingPurchase purchase)
    {
        var key = (purchase.CitizenId, purchase.Claim.Key);
        if (pendingByKey.GetValueOrDefault(key) == purchase)
        {
            pendingByKey.Remove(key);
        }

        if (purchase.Claim.SoldBy is not null && pendingByTellerKey.GetValueOrDefault(purchase.Claim.Key) == purchase)
        {
            pendingByTellerKey.Remove(purchase.Claim.Key);
        }
    }
}
