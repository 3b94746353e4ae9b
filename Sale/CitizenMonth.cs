namespace Ledger.Sale;

/// <summary>
/// What a citizen's grain knows of the citizen in one program-month, learned from the database's answers, and
/// the rules it applies with it: a key that already bought is answered with its first purchase, and a refusal
/// made without the database is trusted only when the history is known.
/// </summary>
/// <remarks>
/// A refusal made without the database (sold out, over the limit, closed...) could be wrong for a grain that
/// knows nothing: the key may have bought before, and the usage it handed over may be too low. So before the
/// first such refusal (or for a key whose purchase failed with an unknown outcome) the history is read.
/// </remarks>
public sealed class CitizenMonth<TPurchase>
    where TPurchase : class, IRecordedPurchase
{
    /// <summary>Purchases held from the history; past this it is read again when needed.</summary>
    public const int HistoryMax = 1_000;

    /// <summary>Keys in doubt tracked one by one; past this, with no history held, every refusal re-reads it.</summary>
    public const int InDoubtMax = 64;

    private readonly HashSet<string> inDoubt = new(StringComparer.Ordinal);

    // Every key the citizen bought with, once the history was read; null until then.
    private Dictionary<string, TPurchase>? bought;

    /// <summary>
    /// The usage as the database last reported it: a lower bound (0 when unknown), exact unless another
    /// activation bought meanwhile.
    /// </summary>
    public long UsedAtLeast { get; private set; }

    /// <summary>Every purchase the citizen made here by key, when the history is known.</summary>
    public IReadOnlyDictionary<string, TPurchase>? Bought => bought;

    /// <summary>The purchase the key already bought, if the history is known and holds it.</summary>
    public TPurchase? FindBought(string scopedKey) => bought?.GetValueOrDefault(scopedKey);

    /// <summary>Whether a claim is the same purchase as the one its key bought (else it is a conflict).</summary>
    public static bool IsRetryOf(Claim claim, TPurchase first) =>
        first.Channel == claim.Channel && first.Amount == claim.Amount;

    /// <summary>Whether the usage is the database's and the key is known not to be in doubt: a refusal judged with it is final.</summary>
    public bool IsExactFor(string scopedKey) => bought is not null && !inDoubt.Contains(scopedKey);

    /// <summary>Whether a refusal made without the database must be checked against the history first.</summary>
    public bool MustCheck(PurchaseOutcome outcome, long? citizenUsed, string scopedKey) =>
        Answer.IsDecidedWithoutDatabase(outcome, citizenUsed) && (bought is null || inDoubt.Contains(scopedKey));

    /// <summary>
    /// Takes a refusal by a sale that knows the citizen never bought there: no key of theirs did, and usage 0
    /// is exact, all without a read. False when it cannot (the sale cannot tell, or the grain knows otherwise).
    /// </summary>
    public bool TryLearnNeverBought(bool? citizenHasBought, string scopedKey)
    {
        if (citizenHasBought != false || UsedAtLeast != 0)
        {
            return false;
        }

        bought = new Dictionary<string, TPurchase>(StringComparer.Ordinal);
        inDoubt.Remove(scopedKey);
        return true;
    }

    /// <summary>
    /// Takes the history as read. It settles a key in doubt: that attempt is no longer waiting in the sale
    /// (which would have answered with it), so it either committed before the read or never will.
    /// </summary>
    public void LearnHistory(long used, IReadOnlyDictionary<string, TPurchase> purchases, string? settledKey = null)
    {
        UsedAtLeast = used;
        bought = purchases.Count <= HistoryMax ? new Dictionary<string, TPurchase>(purchases, StringComparer.Ordinal) : null;
        if (settledKey is not null)
        {
            inDoubt.Remove(settledKey);
        }
    }

    /// <summary>Takes a purchase's answer: the usage the database counted, and the purchase if it was bought.</summary>
    public void Learn(string scopedKey, long? citizenUsed, TPurchase? confirmed)
    {
        if (citizenUsed is not null)
        {
            inDoubt.Remove(scopedKey);
        }

        UsedAtLeast = citizenUsed ?? UsedAtLeast;
        if (confirmed is not null && bought is not null)
        {
            bought[scopedKey] = confirmed;
            if (bought.Count > HistoryMax)
            {
                bought = null;
            }
        }
    }

    /// <summary>A cancel landed: the usage as counted, and the purchase cancelled under every key that bought it.</summary>
    public void LearnCancel(long? citizenUsed, TPurchase cancelled)
    {
        UsedAtLeast = citizenUsed ?? UsedAtLeast;
        foreach (var key in bought?.Where(p => p.Value.Sequence == cancelled.Sequence).Select(p => p.Key).ToArray() ?? [])
        {
            bought![key] = cancelled;
        }
    }

    /// <summary>The key's purchase failed with an unknown outcome: it may still commit.</summary>
    public void MarkInDoubt(string scopedKey) => inDoubt.Add(scopedKey);

    /// <summary>An operation failed with an unknown outcome: what was known is dropped and read again when needed.</summary>
    public void Forget()
    {
        UsedAtLeast = 0;
        bought = null;
        if (inDoubt.Count > InDoubtMax)
        {
            inDoubt.Clear();
        }
    }
}
