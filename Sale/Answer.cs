namespace Ledger.Sale;

/// <summary>
/// The sale's answer to a purchase: an outcome and the figures behind it, as the contract's purchase result
/// carries them. <see cref="Entry"/> is the ledger's record of a confirmed purchase (the first one, for a key
/// that bought before).
/// </summary>
/// <param name="CitizenUsed">The citizen's usage as the database counted it; null when it was not asked.</param>
/// <param name="CitizenHasBought">
/// For a refusal made without the database: whether the citizen ever bought here (false: no key of theirs
/// did and their usage is 0); null when the sale cannot tell.
/// </param>
public sealed record Answer(
    PurchaseOutcome Outcome,
    CommitAnswer? Entry = null,
    long? Remaining = null,
    DateTimeOffset? OpensAt = null,
    long? CitizenUsed = null,
    bool? CitizenHasBought = null)
{
    public static readonly Answer Busy = new(PurchaseOutcome.Busy);

    public static readonly Answer Conflict = new(PurchaseOutcome.IdempotencyConflict);

    public static Answer Of(PurchaseOutcome outcome) => new(outcome);

    public static Answer SoldOut(long remaining) => new(PurchaseOutcome.SoldOut, Remaining: remaining);

    public static Answer LimitExceeded(long remaining, long? citizenUsed = null) =>
        new(PurchaseOutcome.LimitExceeded, Remaining: remaining, CitizenUsed: citizenUsed);

    /// <summary>
    /// Whether an outcome is the purchase's answer, which its key gets again; Busy and PreQueue are not, and
    /// neither is Pending (the key then gets the purchase as it stands).
    /// </summary>
    public static bool IsFinalOutcome(PurchaseOutcome outcome) =>
        outcome is not (PurchaseOutcome.Busy or PurchaseOutcome.PreQueue or PurchaseOutcome.Pending);

    public bool IsFinal => IsFinalOutcome(Outcome);

    /// <summary>A refusal the sale made on its own, without the database (which would have counted the usage).</summary>
    public static bool IsDecidedWithoutDatabase(PurchaseOutcome outcome, long? citizenUsed) =>
        citizenUsed is null
        && outcome is PurchaseOutcome.InvalidAmount or PurchaseOutcome.NotOpen or PurchaseOutcome.PreQueue
            or PurchaseOutcome.Closed or PurchaseOutcome.LimitExceeded or PurchaseOutcome.SoldOut;
}
