namespace Ledger.Grains.Interfaces;

/// <summary>
/// The ledger's database could not be reached or did not answer. What was asked may or may not have
/// happened: retry with the same idempotency key to find out. Nothing is ever half-written.
/// </summary>
[GenerateSerializer, Alias("Ledger.LedgerUnavailableException")]
public sealed class LedgerUnavailableException : Exception
{
    public LedgerUnavailableException()
    {
    }

    public LedgerUnavailableException(string message)
        : base(message)
    {
    }

    public LedgerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
