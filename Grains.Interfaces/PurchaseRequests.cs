namespace Ledger.Grains.Interfaces;

/// <summary>Checks the parts of a purchase request that no policy governs.</summary>
public static class PurchaseRequests
{
    /// <summary>
    /// Throws when the ids are malformed. The gateway refuses such input before any grain is called, so
    /// reaching here with it is a bug; it must never reach a batch, where one bad row fails them all.
    /// </summary>
    public static void EnsureWellFormed(PurchaseRequest request)
    {
        if (!CitizenIds.IsValid(request.CitizenId))
        {
            throw new ArgumentException($"'{request.CitizenId}' is not a citizen id.", nameof(request));
        }

        if (request.SoldBy is not null && !CitizenIds.IsValid(request.SoldBy))
        {
            throw new ArgumentException($"'{request.SoldBy}' is not a teller id (the same rule as a citizen id).", nameof(request));
        }

        if (!CitizenIds.IsValidIdempotencyKey(request.IdempotencyKey))
        {
            throw new ArgumentException("The idempotency key must be 1 to 128 visible ASCII characters.", nameof(request));
        }

        if (!Enum.IsDefined(request.Channel))
        {
            throw new ArgumentException($"{request.Channel} is not a channel.", nameof(request));
        }
    }

    /// <summary>
    /// The key as its owner scopes it, as the ledger stores it: a citizen's own key as sent; a teller's as
    /// "{teller} {key}" (a space is in neither a teller id nor a key). So a key buys at most once per seller
    /// and citizen, and the same key of two sellers are two keys.
    /// </summary>
    public static string ScopedKey(this PurchaseRequest request) =>
        request.SoldBy is null ? request.IdempotencyKey : request.SoldBy + TellerSeparator + request.IdempotencyKey;

    /// <summary>Whether a key as the ledger stores it is a teller's (see <see cref="ScopedKey"/>).</summary>
    public static bool IsTellersKey(string storedKey) => storedKey.Contains(TellerSeparator, StringComparison.Ordinal);

    private const char TellerSeparator = ' ';
}
