namespace Ledger.Sale;

/// <summary>
/// A purchase's final refusal, as it is remembered for its key: the request (its claim: who, which key, what) and
/// the answer with its figures. <see cref="Owner"/> is whom the key belongs to: the teller for a teller's key,
/// else the citizen.
/// </summary>
public sealed record Rejection(Claim Claim, Answer Answer, DateTimeOffset At)
{
    public string Owner => Claim.SoldBy ?? Claim.CitizenId;

    /// <summary>
    /// The refusal as it is kept: without the usage and whether the citizen bought, which hold only when it was
    /// answered (a cancel lowers the usage since).
    /// </summary>
    public static Rejection Of(Claim claim, Answer answer, DateTimeOffset at) =>
        new(claim, answer with { CitizenUsed = null, CitizenHasBought = null }, at);

    /// <summary>Whether an outcome is a refusal that its key keeps (the contract's 409s that a later change could flip).</summary>
    public static bool IsKept(PurchaseOutcome outcome) =>
        outcome is PurchaseOutcome.SoldOut or PurchaseOutcome.LimitExceeded or PurchaseOutcome.NotOpen or PurchaseOutcome.Closed;

    /// <summary>Whether a claim is the same request as the one refused (else the key is a conflict).</summary>
    public bool IsRetryOf(Claim claim) =>
        Claim.CitizenId == claim.CitizenId && Claim.Channel == claim.Channel && Claim.Amount == claim.Amount;
}
