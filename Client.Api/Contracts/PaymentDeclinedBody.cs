namespace Ledger.Client.Api.Contracts;

/// <summary>402 <c>payment-declined</c>: the provider's <see cref="Reason"/>, and the purchase that bought nothing.</summary>
public sealed record PaymentDeclinedBody(string Type, string Title, int Status, string Detail, string Code, string? Reason, string PurchaseId)
    : ProblemBody(Type, Title, Status, Detail);
