namespace Ledger.Sale;

/// <summary>
/// The answer for one item of a batch. For a purchase, <see cref="Sequence"/> and the figures are those of
/// the purchase (the first one, for a duplicate); for a cancel, those of the cancel entry.
/// </summary>
public sealed record CommitAnswer(
    CommitOutcome Outcome,
    long? Sequence,
    long CitizenUsed,
    Channel Channel,
    long Amount,
    long Price,
    DateTimeOffset At,
    bool Cancelled);
