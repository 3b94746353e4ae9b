using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>
/// An RFC 9457 problem (<c>application/problem+json</c>) as the gateway writes it, for the OpenAPI document: the answers
/// themselves come from <see cref="LedgerResults"/> and ASP.NET Core, and the validating proxy's test holds them to
/// these shapes. The records derived from it add the <c>code</c> and figures of the ledger's own answers.
/// </summary>
public record ProblemBody(
    string Type,
    string Title,
    int Status,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Instance = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TraceId = null);
