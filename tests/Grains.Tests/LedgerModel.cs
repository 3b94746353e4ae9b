using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains.Tests;

/// <summary>
/// What one program-month must answer, computed from the rules in DOMAIN.md for requests made one at a time:
/// the ledger entries, the sold amount per channel, each citizen's usage, the purchases bought per key (the
/// database's memory, forever) and the answers the citizen grains remember (until the grain is deactivated).
/// </summary>
public sealed class LedgerModel(ProgramMonth programMonth, Policy policy, DateTimeOffset now)
{
    private readonly SortedDictionary<long, ModelEntry> entries = [];
    private readonly Dictionary<long, ModelPurchase> purchases = [];
    private readonly Dictionary<(string Citizen, string Key), long> bought = [];
    private readonly Dictionary<(string Citizen, string Key), (PurchaseRequest Request, PurchaseResult Answer)> remembered = [];
    private readonly Dictionary<string, long> used = [];
    private ChannelAmounts sold = ChannelAmounts.Zero;

    public ProgramMonth ProgramMonth => programMonth;

    public Policy Policy => policy;

    public ChannelAmounts Sold => sold;

    public IReadOnlyCollection<ModelEntry> Entries => entries.Values;

    /// <summary>Every purchase ever confirmed, in ledger order.</summary>
    public IReadOnlyList<ModelPurchase> Purchases => purchases.Values.OrderBy(p => p.Sequence).ToArray();

    public long NextSequence => entries.Count + 1;

    public long UsedBy(string citizen) => used.GetValueOrDefault(citizen);

    /// <summary>The answer to a purchase made alone, and its effect on the ledger.</summary>
    public PurchaseResult Purchase(PurchaseRequest request)
    {
        var key = (request.CitizenId, request.IdempotencyKey);
        if (remembered.TryGetValue(key, out var first))
        {
            // A retry gets the first answer; a purchase it names is shown as it now stands.
            return first.Request == request ? AsItNowStands(first.Answer) : PurchaseResult.Of(PurchaseOutcome.IdempotencyConflict);
        }

        var answer = Decide(request);
        remembered[key] = (request, answer);
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
            Append(new ModelEntry(NextSequence, LedgerEntryKind.Cancel, purchase.Sequence, citizen, purchase.Channel,
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
    public void Absorb(PurchaseRequest request, PurchaseResult answer)
    {
        var key = (request.CitizenId, request.IdempotencyKey);
        Assert.False(remembered.ContainsKey(key) || bought.ContainsKey(key), $"A concurrent request reused key {key}.");
        remembered[key] = (request, answer);
        var invalid = request.Amount <= 0 || request.Amount % policy.Unit != 0;
        Assert.Equal(invalid, answer.Outcome == PurchaseOutcome.InvalidAmount);
        switch (answer.Outcome)
        {
            case PurchaseOutcome.Confirmed:
                var purchase = answer.Purchase!;
                Assert.False(entries.ContainsKey(purchase.Sequence), $"Sequence {purchase.Sequence} was given twice.");
                var expected = Confirm(request, purchase.Sequence);
                Assert.Equal(ToPurchase(expected), purchase);
                break;
            case PurchaseOutcome.LimitExceeded or PurchaseOutcome.SoldOut:
                Assert.InRange(answer.Remaining!.Value, 0, request.Amount - 1);
                break;
            case PurchaseOutcome.InvalidAmount:
                break;
            default:
                Assert.Fail($"A concurrent purchase {request} answered {answer}.");
                break;
        }
    }

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
            sequence, request.CitizenId, request.Channel, request.Amount, policy.PriceOf(request.Amount));
        purchases[sequence] = purchase;
        bought[(request.CitizenId, request.IdempotencyKey)] = sequence;
        sold = sold.Add(request.Channel, request.Amount);
        used[request.CitizenId] = UsedBy(request.CitizenId) + request.Amount;
        Append(new ModelEntry(sequence, LedgerEntryKind.Purchase, sequence, request.CitizenId, request.Channel,
            request.Amount, purchase.Price));
        return purchase;
    }

    private void Append(ModelEntry entry) => entries.Add(entry.Sequence, entry);

    private PurchaseResult AsItNowStands(PurchaseResult answer) =>
        answer.Purchase is { } purchase
            ? answer with { Purchase = ToPurchase(purchases[purchase.Sequence]) }
            : answer;
}
