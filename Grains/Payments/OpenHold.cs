using Ledger.Sale;

namespace Ledger.Grains.Payments;

/// <summary>A hold not yet ended: the purchase at <see cref="Sequence"/>, what it takes, its price, and when it expires.</summary>
public sealed record OpenHold(
    long Sequence, string CitizenId, Channel Channel, long Amount, long Price, DateTimeOffset ExpiresAt);
