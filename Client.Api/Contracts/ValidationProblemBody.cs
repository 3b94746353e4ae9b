namespace Ledger.Client.Api.Contracts;

/// <summary>400: what is malformed, by field (a JSON path such as <c>amount</c> or <c>caps.mobile</c>, or a header's name).</summary>
public sealed record ValidationProblemBody(string Type, string Title, int Status, string Detail, IReadOnlyDictionary<string, string[]> Errors)
    : ProblemBody(Type, Title, Status, Detail);
