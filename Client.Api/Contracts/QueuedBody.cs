using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>
/// 429 <c>queued</c>: the purchase waits in the waiting room at <see cref="Position"/> (1 is next; null in a pre-queue,
/// before the opening at <see cref="OpensAt"/>). Send it again with the Queue-Ticket header after Retry-After.
/// </summary>
public sealed record QueuedBody(
    string Type, string Title, int Status, string Detail, string Code, long? Position, int EstimatedWaitSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? OpensAt = null)
    : ProblemBody(Type, Title, Status, Detail);
