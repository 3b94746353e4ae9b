namespace Ledger.Grains.Interfaces;

/// <summary>How a program-month's buyers pay (API.md, "Payments").</summary>
[GenerateSerializer, Alias("Ledger.PaymentMethod")]
public enum PaymentMethod
{
    /// <summary>A purchase is confirmed without a payment step.</summary>
    None = 0,

    /// <summary>The price is withdrawn from the citizen's account at the payment provider before a purchase is confirmed.</summary>
    Account = 1,
}
