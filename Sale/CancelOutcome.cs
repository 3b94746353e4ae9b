namespace Ledger.Sale;

public enum CancelOutcome
{
    /// <summary>The purchase is cancelled (now, or by an earlier request: the answer is the same).</summary>
    Cancelled = 0,

    /// <summary>No such purchase.</summary>
    NotFound = 1,

    /// <summary>The 7-day cancellation window has passed.</summary>
    WindowPassed = 2,

    /// <summary>Too many requests are waiting; nothing changed, try again shortly.</summary>
    Busy = 3,

    /// <summary>The purchase's payment is still pending: there is nothing bought to cancel yet.</summary>
    PaymentPending = 4,

    /// <summary>The purchase's hold was voided: nothing was bought, so there is nothing to cancel.</summary>
    Voided = 5,
}
