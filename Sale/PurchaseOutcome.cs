namespace Ledger.Sale;

/// <summary>Every expected answer to a purchase. Broken infrastructure is an exception instead.</summary>
public enum PurchaseOutcome
{
    /// <summary>Durably recorded; the answer's purchase holds it.</summary>
    Confirmed = 0,

    /// <summary>The same idempotency key was used with a different request: nothing was bought.</summary>
    IdempotencyConflict = 1,

    /// <summary>No policy is set for the program-month.</summary>
    NotFound = 2,

    /// <summary>The sale has not opened yet; the answer's opening says when it will.</summary>
    NotOpen = 3,

    /// <summary>The sales month has ended.</summary>
    Closed = 4,

    /// <summary>The amount is not a positive whole multiple of the sale unit.</summary>
    InvalidAmount = 5,

    /// <summary>The citizen's monthly limit would be exceeded; the answer's remaining amount is what is left.</summary>
    LimitExceeded = 6,

    /// <summary>The channel's cap would be exceeded; the answer's remaining amount is what is left.</summary>
    SoldOut = 7,

    /// <summary>Too many purchases are waiting; nothing was bought, try again shortly.</summary>
    Busy = 8,

    /// <summary>
    /// Not open yet, but within the policy's pre-queue before the citizen's opening
    /// (the answer's opening): the buyer waits in the pre-queue. No answer: nothing happened.
    /// </summary>
    PreQueue = 9,

    /// <summary>
    /// Held, and the payment provider has not answered yet: the purchase is pending until its hold is posted
    /// (confirmed) or voided. Not the key's last answer: the same key asks how it stands now.
    /// </summary>
    Pending = 10,

    /// <summary>The provider refused the payment, or gave no word before the hold expired: nothing was bought.</summary>
    PaymentDeclined = 11,
}
