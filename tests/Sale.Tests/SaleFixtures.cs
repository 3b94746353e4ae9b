namespace Ledger.Sale.Tests;

/// <summary>A program-month's sale with plain figures: opening at <see cref="Opening"/>, ending at <see cref="End"/>.</summary>
internal static class SaleFixtures
{
    public const long Unit = 10_000;
    public const long Limit = 200_000;

    public static readonly DateTimeOffset Opening = new(2026, 12, 1, 9, 0, 0, TimeSpan.FromHours(9));
    public static readonly DateTimeOffset End = new(2027, 1, 1, 0, 0, 0, TimeSpan.FromHours(9));
    public static readonly DateTimeOffset Open = Opening.AddMinutes(1);

    public static Rules Rules(long mobileCap = 1_000_000, long paperCap = 0, long limit = Limit, int preQueueMinutes = 0) =>
        new(new ChannelAmounts(mobileCap, paperCap), limit, Unit, DiscountBps: 1_000, preQueueMinutes, End, _ => Opening);

    public static CityMonthSale NewSale(Rules? rules = null, long sold = 0)
    {
        var sale = new CityMonthSale(new LedgerHead(1, 1, new ChannelAmounts(sold, 0)), new Buyers());
        sale.Enforce(rules ?? Rules());
        return sale;
    }

    public static Claim Claim(string citizen, long amount = Unit, string key = "k", string? teller = null) =>
        new(citizen, SaleKeys.Scoped(key, teller), Channel.Mobile, amount, teller);

    /// <summary>Admits a claim, queueing it when accepted.</summary>
    public static Answer? Admit(this CityMonthSale sale, Claim claim, long used = 0, DateTimeOffset? now = null) =>
        sale.Admit(claim, used, now ?? Open, 0, static (c, price, _) => new PendingPurchase(c, price), out _);

    /// <summary>Admits a claim judged on the citizen's exact usage, as a citizen grain that holds the history asks.</summary>
    public static Answer? Admit(this CityMonthSale sale, Claim claim, DateTimeOffset now, bool usageExact, long used = 0) =>
        sale.Admit(claim, used, now, 0, static (c, price, _) => new PendingPurchase(c, price), out _, usageExact);

    /// <summary>What ledger_commit answers when every purchase of the batch is bought, at the next sequences.</summary>
    public static CommitResult AllConfirmed(Batch batch)
    {
        var next = batch.Head.NextSequence + batch.FollowUps.Count;
        return new CommitResult(
            batch.FollowUps.Select(c => Entry(CommitOutcome.Cancelled, c.Sequence, c.Channel, c.Amount)).ToArray(),
            batch.Purchases.Select(p => Entry(CommitOutcome.Confirmed, next++, p.Claim.Channel, p.Claim.Amount)).ToArray());
    }

    public static CommitAnswer Entry(CommitOutcome outcome, long sequence, Channel channel, long amount, long used = 0) =>
        new(outcome, sequence, used, channel, amount, amount * 9 / 10, Open, PurchaseStatus.Confirmed);
}
