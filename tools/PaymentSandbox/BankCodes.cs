namespace Ledger.PaymentSandbox;

/// <summary>The answer codes the sandbox uses, after the open-banking API's (documented in docs/OPERATIONS.md).</summary>
public static class BankCodes
{
    /// <summary>Done (with <see cref="BankDone"/>).</summary>
    public const string Done = "A0000";

    /// <summary>No transfer has this id (a result inquiry's item).</summary>
    public const string NoSuchTransfer = "A0001";

    /// <summary>Refused by the payer's bank (with <see cref="BankInsufficientBalance"/>).</summary>
    public const string RefusedByBank = "A0002";

    /// <summary>The id was used before for another transfer: nothing was done.</summary>
    public const string IdUsedForAnother = "A0003";

    public const string BankDone = "000";

    public const string BankInsufficientBalance = "551";
}
