namespace Ledger.Client.Api.Contracts;

/// <summary>A problem of the ledger's own with its short <see cref="Code"/>: <c>not-found</c>, <c>idempotency-conflict</c>, <c>unavailable</c>.</summary>
public sealed record CodedProblemBody(string Type, string Title, int Status, string Detail, string Code)
    : ProblemBody(Type, Title, Status, Detail);
