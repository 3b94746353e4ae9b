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
    /// Whether <paramref name="retry"/> asks for what <paramref name="first"/> did, so that it gets the first
    /// one's answer: the same citizen, key and body. Who sells is not part of the body: a citizen's key
    /// buys once, whoever uses it.
    /// </summary>
    public static bool IsRetryOf(this PurchaseRequest retry, PurchaseRequest first) =>
        retry.ProgramMonth == first.ProgramMonth && retry.CitizenId == first.CitizenId
        && retry.IdempotencyKey == first.IdempotencyKey && retry.Channel == first.Channel && retry.Amount == first.Amount;
}
