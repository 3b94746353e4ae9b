namespace Ledger.Sale;

/// <summary>
/// Who bought in a program-month, and for which citizen each teller's key bought, as the sale tracks them to answer without the database.
/// </summary>
public sealed class Buyers
{
    public HashSet<string> Citizens { get; } = new(StringComparer.Ordinal);

    /// <summary>The citizen each teller's key bought for, by the key as the ledger stores it.</summary>
    public Dictionary<string, string> TellerKeys { get; } = new(StringComparer.Ordinal);

    public int Count => Citizens.Count + TellerKeys.Count;

    /// <summary>Records a purchase of <paramref name="citizenId"/> under its stored (scoped) key.</summary>
    public void Add(string citizenId, string storedKey)
    {
        Citizens.Add(citizenId);
        if (SaleKeys.IsTellers(storedKey))
        {
            TellerKeys[storedKey] = citizenId;
        }
    }
}
