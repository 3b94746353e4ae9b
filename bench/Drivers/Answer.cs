namespace Ledger.Bench;

/// <summary>
/// What a driver got back: the outcome, the purchase's sequence (or baseline id) when there is one, and why, for
/// errors. Over HTTP also the status (0 without one), and for a refusal when to come back and, when the gateway
/// queued the purchase, the <c>Queue-Ticket</c> to bring and the place it holds (null in a pre-queue).
/// </summary>
public readonly record struct Answer(
    Outcome Outcome,
    long Sequence = 0,
    string? Detail = null,
    int Status = 0,
    TimeSpan? RetryAfter = null,
    string? QueueTicket = null,
    long? Position = null)
{
    public static Answer Failed(string detail, int status = 0) => new(Outcome.Error, Detail: detail, Status: status);
}
