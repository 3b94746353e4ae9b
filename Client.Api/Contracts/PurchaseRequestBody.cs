namespace Ledger.Client.Api.Contracts;

/// <summary>A purchase: <c>{"channel":"mobile","amount":200000}</c>; a teller adds <c>citizenId</c>.</summary>
public sealed record PurchaseRequestBody(string? Channel, long? Amount, string? CitizenId);
