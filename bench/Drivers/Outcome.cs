namespace Ledger.Bench;

/// <summary>How a request ended, as the benchmark counts it; each has its own latency histogram.</summary>
public enum Outcome
{
    /// <summary>A purchase was confirmed.</summary>
    Confirmed,

    /// <summary>The second request of a double-tap answered with the first one's purchase.</summary>
    Duplicate,

    SoldOut,

    LimitExceeded,

    /// <summary>Any other business rejection (not open, closed, key conflict, invalid amount).</summary>
    Rejected,

    /// <summary>Turned away for load, nothing done: 429 or 503 with Retry-After, or a grain's Busy.</summary>
    Refused,

    Cancelled,

    /// <summary>A poll of the remaining cap answered.</summary>
    State,

    /// <summary>A failure: an exception, a time-out, a 5xx that is not a refusal, an unexpected answer.</summary>
    Error,
}
