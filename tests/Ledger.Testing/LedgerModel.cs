using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// What one program-month must answer, computed from the rules in DOMAIN.md for requests made one at a time:
/// the ledger entries, the sold amount per channel, each citizen's usage, the purchases bought per key (the
/// database's memory, forever), the refusals each key got (the program-month's memory and ledger_rejections, forever)
/// and the answers the citizen grains remember (until the grain is deactivated).
/// </summary>
public sealed class LedgerModel(ProgramMonth programMonth, Policy policy, DateTimeOffset now)
{
    private readonly SortedDictionary<long, AuditEntry> entries = [];
    private readonly Dictionary<long, ModelPurchase> purchases = [];
    private readonly Dictionary<(string Citizen, string Key), long> bought = [];
    private readonly Dictionary<(string Citizen, string Key), (PurchaseRequest Request, PurchaseResult Answer)> remembered = [];
    private readonly Dictionary<(string Citizen, string Key), (PurchaseRequest Request, PurchaseResult Answer)> refused = [];
    private readonly Dictionary<string, long> used = [];
    private ChannelAmounts sold = ChannelAmounts.Zero;

    public ProgramMonth ProgramMonth => programMonth;

    public Policy Policy => policy;

    public ChannelAmounts Sold => sold;

    public IReadOnlyCollection<AuditEntry> Entries => entries.Values;

    /// <summary>Every purchase ever confirmed, in ledger order.</summary>
    public IReadOnlyList<ModelPurchase> Purchases => purchases.Values.OrderBy(p => p.Sequence).ToArray();

    public long NextSequence => entries.Count + 1;

    public long UsedBy(string citizen) => used.GetValueOrDefault(citizen);

    /// <summary>The answer to a purchase made alone, and its effect on the ledger.</summary>
    public PurchaseResult Purchase(PurchaseRequest request)
    {
        var key = (request.CitizenId, request.IdempotencyKey);
        if (remembered.TryGetValue(key, out var first) || refused.TryGetValue(key, out first))
        {
            // A retry gets the first answer; a purchase it names is shown as it now stands.
            return first.Request == request ? AsItNowStands(first.Answer) : PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict);
        }

        var answer = Decide(request);
        if (answer.Outcome != PurchaseOutcome.IdempotencyConflict)
        {
            // A conflict is not the key's answer: a retry of its first request still gets that request's.
            remembered[key] = (request, answer);
        }

        KeepRefusal(request, answer);
        return answer;
    }

    /// <summary>The answer to a cancellation made alone by <paramref name="citizen"/>, and its effect.</summary>
    public CancelResult Cancel(string citizen, long sequence)
    {
        if (!purchases.TryGetValue(sequence, out var purchase) || purchase.CitizenId != citizen)
        {
            return new CancelResult(CancelOutcome.NotFound);
        }

        if (!purchase.Cancelled)
        {
            purchase.Cancelled = true;
            sold = sold.Add(purchase.Channel, -purchase.Amount);
            used[citizen] = UsedBy(citizen) - purchase.Amount;
            Append(new AuditEntry(NextSequence, LedgerEntryKind.Cancel, purchase.Sequence, citizen, purchase.Channel,
                purchase.Amount, purchase.Price));
        }

        return new CancelResult(CancelOutcome.Cancelled, ToPurchase(purchase));
    }

    /// <summary>The citizen grain is gone: it remembers no answer any more (the database still knows every key bought).</summary>
    public void Forget(string citizen)
    {
        foreach (var key in remembered.Keys.Where(k => k.Citizen == citizen).ToArray())
        {
            remembered.Remove(key);
        }
    }

    /// <summary>
    /// Takes in the real answer to a request made concurrently with others, whose outcome depends on the order
    /// they were served in; it is checked against what any order allows, and then it is what happened.
    /// </summary>
    /// <returns>How the answer breaks the rules; empty when some order allows it.</returns>
    public IReadOnlyList<string> Absorb(PurchaseRequest request, PurchaseResult answer)
    {
        var problems = new List<string>();
        var key = (request.CitizenId, request.IdempotencyKey);
        if (remembered.ContainsKey(key) || bought.ContainsKey(key) || refused.ContainsKey(key))
        {
            problems.Add($"A concurrent request reused key {key}.");
        }

        remembered[key] = (request, answer);
        KeepRefusal(request, answer);
        var invalid = request.Amount <= 0 || request.Amount % policy.Unit != 0;
        if (invalid != (answer.Outcome == PurchaseOutcome.InvalidAmount))
        {
            problems.Add($"{request} of {(invalid ? "an invalid" : "a valid")} amount answered {answer.Outcome}.");
        }

        switch (answer.Outcome)
        {
            case PurchaseOutcome.Confirmed:
                var purchase = answer.Purchase!;
                if (entries.ContainsKey(purchase.Sequence))
                {
                    problems.Add($"Sequence {purchase.Sequence} was given twice.");
                    break;
                }

                var expected = ToPurchase(Confirm(request, purchase.Sequence));
                if (expected != purchase)
                {
                    problems.Add($"{request} was confirmed as {purchase}, the rules say {expected}.");
                }

                break;
            case PurchaseOutcome.LimitExceeded or PurchaseOutcome.SoldOut:
                if (answer.Remaining is not { } remaining || remaining < 0 || remaining >= request.Amount)
                {
                    problems.Add($"{request} answered {answer.Outcome} with {answer.Remaining} remaining.");
                }

                break;
            case PurchaseOutcome.InvalidAmount:
                break;
            default:
                problems.Add($"A concurrent purchase {request} answered {answer}.");
                break;
        }

        return problems;
    }

    /// <summary>A refusal that a later change could flip is the key's answer for good.</summary>
    private void KeepRefusal(PurchaseRequest request, PurchaseResult answer)
    {
        if (Rejection.IsKept(answer.Outcome))
        {
            refused[(request.CitizenId, request.IdempotencyKey)] = (request, answer);
        }
    }

    /// <summary>Every confirmation the model's answers gave, as the auditor reads what clients were told.</summary>
    public IEnumerable<Confirmation> Confirmations =>
        Purchases.Select(p => new Confirmation(p.Sequence, p.CitizenId, p.Channel, p.Amount, p.Key, p.Price, p.Cancelled));

    public Purchase ToPurchase(ModelPurchase p) => new(
        PurchaseIds.Format(programMonth, p.Sequence), programMonth, p.CitizenId, p.Channel, p.Amount, p.Price,
        p.Cancelled ? PurchaseStatus.Cancelled : PurchaseStatus.Confirmed, now, p.Sequence);

    private PurchaseResult Decide(PurchaseRequest request)
    {
        var key = (request.CitizenId, request.IdempotencyKey);
        if (bought.TryGetValue(key, out var sequence))
        {
            // The key bought once already: never again, whatever else has changed since.
            var first = purchases[sequence];
            return first.Channel == request.Channel && first.Amount == request.Amount
                ? PurchaseResult.Confirmed(ToPurchase(first), UsedBy(request.CitizenId))
                : PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict);
        }

        if (request.Amount <= 0 || request.Amount % policy.Unit != 0)
        {
            return PurchaseResult.Of(PurchaseOutcome.InvalidAmount);
        }

        var limitLeft = policy.CitizenMonthlyLimit - UsedBy(request.CitizenId);
        if (request.Amount > limitLeft)
        {
            return PurchaseResult.LimitExceeded(Math.Max(0, limitLeft));
        }

        var capLeft = policy.Caps[request.Channel] - sold[request.Channel];
        if (request.Amount > capLeft)
        {
            return PurchaseResult.SoldOut(capLeft);
        }

        var purchase = Confirm(request, NextSequence);
        return PurchaseResult.Confirmed(ToPurchase(purchase), UsedBy(request.CitizenId));
    }

    private ModelPurchase Confirm(PurchaseRequest request, long sequence)
    {
        var purchase = new ModelPurchase(
            sequence, request.CitizenId, request.Channel, request.Amount, policy.PriceOf(request.Amount), request.IdempotencyKey);
        purchases[sequence] = purchase;
        bought[(request.CitizenId, request.IdempotencyKey)] = sequence;
        sold = sold.Add(request.Channel, request.Amount);
        used[request.CitizenId] = UsedBy(request.CitizenId) + request.Amount;
        Append(new AuditEntry(sequence, LedgerEntryKind.Purchase, sequence, request.CitizenId, request.Channel,
            request.Amount, purchase.Price, request.IdempotencyKey, request.SoldBy));
        return purchase;
    }

    private void Append(AuditEntry entry) => entries.Add(entry.Sequence, entry);

    private PurchaseResult AsItNowStands(PurchaseResult answer) =>
        answer.Purchase is { } purchase
            ? answer with { Purchase = ToPurchase(purchases[purchase.Sequence]) }
            : answer;
}
