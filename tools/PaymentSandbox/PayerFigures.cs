namespace Ledger.PaymentSandbox;

/// <summary>The provider's own truth about one payer (API.md): what it withdrew and what it returned, in won.</summary>
public sealed record PayerFigures(long Withdrawn, long Returned);
