namespace Ledger.Testing;

public enum RetryKind
{
    Same,
    OtherAmount,
    OtherChannel,
}
