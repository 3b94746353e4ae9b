namespace Ledger.Testing;

/// <summary>
/// One payer's money at the provider against their vouchers in the ledger (API.md, "Payments": once nothing is
/// pending, withdrawn less returned equals the prices of the payer's confirmed, uncancelled purchases).
/// </summary>
/// <param name="Money">The provider's figures for the payer; null when none were read.</param>
/// <param name="Owed">The prices of the payer's confirmed, uncancelled purchases.</param>
/// <param name="HeldPrices">The prices of all the payer's holds, however they ended: the most the provider may ever take,
/// since each hold's transfer id moves money at most once.</param>
public sealed record PayerCheck(string Payer, PayerMoney? Money, long Owed, long HeldPrices)
{
    /// <summary>The provider's net differs from what the payer's vouchers cost (or is unknown).</summary>
    public bool MoneyDiffers => Money is null || Money.Net != Owed;

    /// <summary>More was taken from the payer than all their holds' prices, or more returned than was taken.</summary>
    public bool ChargedTwice => Money is { } money && (money.Withdrawn > HeldPrices || money.Returned > money.Withdrawn);
}
