namespace Ledger.Sale;

/// <summary>
/// Idempotency keys as their owner scopes them, as the ledger stores them: a citizen's own key as sent; a
/// teller's as "{teller} {key}" (a space is in neither a teller id nor a key). So a key buys at most once per
/// seller and citizen, and the same key of two sellers are two keys.
/// </summary>
public static class SaleKeys
{
    private const char TellerSeparator = ' ';

    public static string Scoped(string key, string? soldBy) =>
        soldBy is null ? key : soldBy + TellerSeparator + key;

    /// <summary>Whether a key as the ledger stores it is a teller's.</summary>
    public static bool IsTellers(string storedKey) => storedKey.Contains(TellerSeparator, StringComparison.Ordinal);
}
