namespace Ledger.Bench;

/// <summary>
/// One attempt's end: its kind, the HTTP status (0 without one), what it was in a word for the report's
/// breakdown (<c>409 limit-exceeded</c>, <c>connect ConnectionRefused</c>), the purchase's sequence when
/// confirmed, and for a retry, when to come back and the <c>Queue-Ticket</c> to bring.
/// </summary>
public readonly record struct AttemptAnswer(
    AttemptKind Kind,
    int Status,
    string Detail,
    long Sequence = 0,
    TimeSpan? RetryAfter = null,
    string? QueueTicket = null)
{
    /// <summary>Answers that end a buyer's attempts.</summary>
    public bool IsFinal => Kind is AttemptKind.Confirmed or AttemptKind.SoldOut or AttemptKind.OtherAnswer;
}
