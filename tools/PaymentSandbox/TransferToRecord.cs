namespace Ledger.PaymentSandbox;

/// <summary>A transfer as asked for, waiting to be recorded under its id.</summary>
public sealed record TransferToRecord(string Id, string Kind, string Payer, long Amount, bool Done);
