namespace Ledger.Bench;

/// <summary>
/// One round of the ticket check: <paramref name="Kind"/> <c>no-op</c> (A: the no-op endpoint) or <c>ticket</c>
/// (B: the same requests to the purchase endpoint, each bringing a ticket not yet admitted), its pair (0 for the
/// warm-up), how long it ran (until its last answer), the answers in it and their rate, how many were the
/// expected one (A: 201; B: 429 queued with a new ticket) and the others by what they were, and for B the
/// closest place to the front a 429 named (how near the frontier came to the replayed tickets).
/// </summary>
public sealed record TicketRound(
    string Kind,
    int Pair,
    double Seconds,
    long Answers,
    double PerSecond,
    long Expected,
    IReadOnlyDictionary<string, long> Unexpected,
    long? PositionMin)
{
    public const string NoOp = "no-op";

    public const string Ticket = "ticket";

    public bool IsWarmUp => Pair == 0;
}
