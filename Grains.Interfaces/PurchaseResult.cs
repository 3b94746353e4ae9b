using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>The answer to a purchase: an outcome plus the figures behind it.</summary>
/// <param name="CitizenUsed">
/// The citizen's confirmed purchases this program-month as the database counted them when it answered, or
/// null when the database was not asked.
/// </param>
/// <param name="CitizenHasBought">
/// For a rejection made without the database: whether the citizen ever bought in this program-month. False
/// means no key of theirs bought there and their usage is 0; null when the program-month grain cannot tell.
/// </param>
[GenerateSerializer, Immutable, Alias("Ledger.PurchaseResult")]
public sealed record PurchaseResult(
    [property: Id(0)] PurchaseOutcome Outcome,
    [property: Id(1)] Purchase? Purchase = null,
    [property: Id(2)] long? Remaining = null,
    [property: Id(3)] DateTimeOffset? OpensAt = null,
    [property: Id(4)] long? CitizenUsed = null,
    [property: Id(5)] bool? CitizenHasBought = null)
{
    public static PurchaseResult Confirmed(Purchase purchase, long citizenUsed) =>
        new(PurchaseOutcome.Confirmed, purchase, CitizenUsed: citizenUsed);

    public static PurchaseResult NotOpen(DateTimeOffset opensAt) => new(PurchaseOutcome.NotOpen, OpensAt: opensAt);

    public static PurchaseResult PreQueue(DateTimeOffset opensAt) => new(PurchaseOutcome.PreQueue, OpensAt: opensAt);

    public static PurchaseResult LimitExceeded(long remaining, long? citizenUsed = null) =>
        new(PurchaseOutcome.LimitExceeded, Remaining: remaining, CitizenUsed: citizenUsed);

    public static PurchaseResult SoldOut(long remaining) => new(PurchaseOutcome.SoldOut, Remaining: remaining);

    public static PurchaseResult Of(PurchaseOutcome outcome) => new(outcome);

    public bool IsConfirmed => Outcome == PurchaseOutcome.Confirmed;

    /// <summary>Whether this is the purchase's answer, which its key gets again; Busy and PreQueue are not: nothing happened.</summary>
    public bool IsFinal => Answer.IsFinalOutcome(Outcome);
}
