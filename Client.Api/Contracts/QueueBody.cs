namespace Ledger.Client.Api.Contracts;

/// <summary>
/// A program-month's waiting room on the sales page: people waiting, the last ticket number let in (now
/// serving), the admission rate, the estimated wait for someone joining now, and people in a pre-queue.
/// </summary>
public sealed record QueueBody(int Waiting, long NowServing, double AdmissionPerSecond, int EstimatedWaitSeconds, int PreQueued);
