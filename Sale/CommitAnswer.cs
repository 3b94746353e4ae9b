namespace Ledger.Sale;

/// <summary>
/// The answer for one item of a batch. For a purchase, <see cref="Sequence"/> and the figures are those of
/// the purchase (the first one, for a duplicate); for a follow-up, those of its entry. <see cref="Status"/> is
/// how the purchase stands now, with <see cref="Reason"/> why a hold was voided. A key refused before is answered
/// with that refusal: <see cref="RejectedAs"/> and its figures.
/// </summary>
public sealed record CommitAnswer(
    CommitOutcome Outcome,
    long? Sequence,
    long CitizenUsed,
    Channel Channel,
    long Amount,
    long Price,
    DateTimeOffset At,
    PurchaseStatus Status,
    string? Reason = null,
    PurchaseOutcome? RejectedAs = null,
    long? Remaining = null,
    DateTimeOffset? OpensAt = null);
