namespace Ledger.Grains.Interfaces;

[GenerateSerializer, Alias("Ledger.LedgerEntryKind")]
public enum LedgerEntryKind
{
    Purchase = 0,
    Cancel = 1,

    /// <summary>A purchase that takes payment, held until its ending (post, void or expire) follows.</summary>
    Hold = 2,

    /// <summary>The provider withdrew a hold's price: it is sold.</summary>
    Post = 3,

    /// <summary>The provider refused a hold's payment: its amount went back.</summary>
    Void = 4,

    /// <summary>A hold had no word from the provider in time: its amount went back.</summary>
    Expire = 5,
}
