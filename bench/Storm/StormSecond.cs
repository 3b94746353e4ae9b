namespace Ledger.Bench;

/// <summary>
/// One second of the storm, ending <paramref name="At"/> seconds after the first arrival: buyers arrived and
/// answered so far, attempts ended in the second by kind, the connections this process held at its end, the
/// open files of each watched process then, and the latest readiness poll.
/// </summary>
public sealed record StormSecond(
    int Second,
    double At,
    long Arrived,
    long Answered,
    long Confirmed,
    long Attempts,
    long Unavailable,
    long TooManyRequests,
    long ServerErrors,
    long ConnectFailed,
    long NoAnswer,
    long TimedOut,
    int OpenConnections,
    IReadOnlyDictionary<string, int> OpenFiles,
    string Readiness);
