namespace Ledger.Grains.Tests;

public enum RetryKind
{
    Same,
    OtherAmount,
    OtherChannel,
}
