namespace Ledger.Client.Api.Contracts;

/// <summary>409 to a cancel: <c>cancel-window-passed</c>, or for a sale that takes payment <c>payment-pending</c> or <c>voided</c>.</summary>
public sealed record CancelRejectionBody(string Type, string Title, int Status, string Detail, string Code)
    : ProblemBody(Type, Title, Status, Detail);
