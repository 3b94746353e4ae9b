namespace Ledger.Grains.Interfaces;

[GenerateSerializer, Alias("Ledger.LedgerEntryKind")]
public enum LedgerEntryKind
{
    Purchase = 0,
    Cancel = 1,
}
