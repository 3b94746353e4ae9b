namespace Ledger.Sale;

/// <summary>A purchase or cancel admitted by the sale and waiting for its batch to commit.</summary>
/// <remarks>The grain derives its own items from these, to carry each caller's answer.</remarks>
public abstract class PendingItem(string citizenId)
{
    public string CitizenId { get; } = citizenId;
}
