using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains.Tests;

/// <summary>A ledger entry as the model expects it; <see cref="PurchaseSequence"/> is the purchase it is about.</summary>
public sealed record ModelEntry(
    long Sequence, LedgerEntryKind Kind, long PurchaseSequence, string CitizenId, Channel Channel, long Amount, long Price);
