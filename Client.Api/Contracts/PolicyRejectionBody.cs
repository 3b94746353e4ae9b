using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>
/// 409 to a policy change: <c>cap-below-sold</c> (the <see cref="Channel"/> and what is <see cref="Sold"/>),
/// <c>limit-below-used</c> (what a citizen has <see cref="Used"/>) or <c>confirm-required</c>.
/// </summary>
public sealed record PolicyRejectionBody(
    string Type, string Title, int Status, string Detail, string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Channel = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sold = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Used = null)
    : ProblemBody(Type, Title, Status, Detail);
