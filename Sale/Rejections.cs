namespace Ledger.Sale;

/// <summary>
/// The refusals a program-month's sale answered, by key, so that a key refused once is refused again with the same
/// answer: those not yet written (the grain writes them in batches, in order) and the most recent written ones. A
/// key found in neither was refused long ago, if ever; then the database's copy answers it at commit.
/// </summary>
public sealed class Rejections
{
    /// <summary>Refusals held in memory, written or not; past this the oldest written ones are forgotten.</summary>
    public const int RememberedMax = 100_000;

    /// <summary>Refusals waiting to be written; past this a refusal is not answered (Busy) until writes catch up.</summary>
    public const int UnwrittenMax = 50_000;

    private readonly Dictionary<(string Owner, string Key), Entry> byKey = [];
    private readonly Queue<(string Owner, string Key)> order = new();
    private readonly LinkedList<Rejection> unwritten = new();

    public int Count => byKey.Count;

    public int Unwritten => unwritten.Count;

    /// <summary>The refusal the claim's key got, if it is remembered.</summary>
    public Rejection? Find(Claim claim) => byKey.GetValueOrDefault((claim.SoldBy ?? claim.CitizenId, claim.Key))?.Rejection;

    /// <summary>Remembers a refusal to be written; false (nothing remembered) when too many wait to be written.</summary>
    public bool TryRecord(Rejection rejection)
    {
        if (unwritten.Count >= UnwrittenMax)
        {
            return false;
        }

        if (Remember(rejection, written: false))
        {
            unwritten.AddLast(rejection);
        }

        return true;
    }

    /// <summary>Remembers a refusal the database already holds.</summary>
    public void RememberWritten(Rejection rejection) => Remember(rejection, written: true);

    /// <summary>Refusals taken by <see cref="TakeUnwritten"/> are in the database now.</summary>
    public void MarkWritten(IReadOnlyList<Rejection> taken)
    {
        foreach (var rejection in taken)
        {
            if (byKey.GetValueOrDefault((rejection.Owner, rejection.Claim.Key)) is { } entry && entry.Rejection == rejection)
            {
                entry.Written = true;
            }
        }

        Trim();
    }

    /// <summary>Takes up to <paramref name="max"/> of the oldest refusals waiting to be written.</summary>
    public IReadOnlyList<Rejection> TakeUnwritten(int max)
    {
        var taken = new List<Rejection>(Math.Min(max, unwritten.Count));
        while (taken.Count < max && unwritten.First is { } first)
        {
            taken.Add(first.Value);
            unwritten.RemoveFirst();
        }

        return taken;
    }

    /// <summary>Puts back refusals whose write failed, ahead of the rest, to be written first.</summary>
    public void ReturnUnwritten(IReadOnlyList<Rejection> taken)
    {
        for (var i = taken.Count - 1; i >= 0; i--)
        {
            unwritten.AddFirst(taken[i]);
        }
    }

    private bool Remember(Rejection rejection, bool written)
    {
        var key = (rejection.Owner, rejection.Claim.Key);
        if (!byKey.TryAdd(key, new Entry(rejection) { Written = written }))
        {
            return false;
        }

        order.Enqueue(key);
        Trim();
        return true;
    }

    /// <summary>Forgets the oldest written refusals past the bound; they are written in order, so the oldest go first.</summary>
    private void Trim()
    {
        while (byKey.Count > RememberedMax && order.TryPeek(out var oldest) && byKey[oldest].Written)
        {
            byKey.Remove(order.Dequeue());
        }
    }

    private sealed class Entry(Rejection rejection)
    {
        public Rejection Rejection { get; } = rejection;

        public bool Written { get; set; }
    }
}
