namespace Ledger.Bench;

/// <summary>How one purchase attempt on its own connection ended.</summary>
public enum AttemptKind
{
    /// <summary>201: final.</summary>
    Confirmed,

    /// <summary>409 <c>sold-out</c>: final.</summary>
    SoldOut,

    /// <summary>Any other 409 code, or any other 2xx or 4xx but 429: final.</summary>
    OtherAnswer,

    /// <summary>429: retried after its Retry-After.</summary>
    TooManyRequests,

    /// <summary>503: retried after its Retry-After.</summary>
    Unavailable,

    /// <summary>A 5xx other than 503: never expected, a failure of the run; retried after 1 s.</summary>
    ServerError,

    /// <summary>No connection: refused, timed out, or no socket to be had; retried after 1 s.</summary>
    ConnectFailed,

    /// <summary>Connected, then reset or closed before a whole answer; retried after 1 s.</summary>
    NoAnswer,

    /// <summary>Connected, and no answer within the attempt's time; retried after 1 s.</summary>
    TimedOut,
}
