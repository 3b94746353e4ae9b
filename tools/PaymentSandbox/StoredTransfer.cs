namespace Ledger.PaymentSandbox;

/// <summary>A transfer as the provider recorded it, the first time its id was used. Declined ones stay declined.</summary>
public sealed record StoredTransfer(string Kind, string Payer, long Amount, bool Done);
