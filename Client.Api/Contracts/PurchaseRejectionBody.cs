using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>
/// 409 to a purchase: <c>not-open</c> (with the buyer's <see cref="OpensAt"/>), <c>closed</c>, <c>limit-exceeded</c> or
/// <c>sold-out</c> (with what <see cref="Remaining"/> of the limit or the cap).
/// </summary>
public sealed record PurchaseRejectionBody(
    string Type, string Title, int Status, string Detail, string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Remaining = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? OpensAt = null)
    : ProblemBody(Type, Title, Status, Detail);
