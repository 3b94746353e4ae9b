using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;

namespace Ledger.Grains.WaitingRoom;

/// <summary>
/// The line of one waiting room, as plain state with the clock passed in: tickets numbered in the order
/// they are taken, a frontier below which every ticket may buy, and the pre-queues that are placed in the
/// order of their random draws at their opening, ahead of everyone after. A ticket is live while its
/// holder keeps coming back (gateways report the expiry each answer gave it); the frontier passes dead and
/// unknown numbers without spending any of its admission, so a holder who left costs the others nothing.
/// </summary>
public sealed class WaitingLine
{
    /// <summary>Places held at once (numbered and pre-queued); past this, a claim gets no place (the gateway answers 503).</summary>
    public const int PlacesMax = 4_000_000;

    /// <summary>How long a new place lives before the first report of its answer extends it.</summary>
    public static readonly TimeSpan FirstAnswerLife = TimeSpan.FromSeconds(45);

    // line[head + i] holds ticket Admitted + 1 + i: its citizen, or null for a number nobody here holds.
    private readonly List<string?> line = [];
    private readonly Dictionary<string, Holder> holders = new(StringComparer.Ordinal);
    private readonly Dictionary<DateTimeOffset, PreQueue> preQueues = [];
    private readonly List<PreQueueMember> newMembers = [];
    private int head;
    private double credit;

    public WaitingLine(long issued = 0, long admitted = 0)
    {
        Issued = issued;
        Admitted = Math.Min(admitted, issued);
        for (var n = Admitted + 1; n <= Issued; n++)
        {
            line.Add(null);
        }
    }

    /// <summary>The highest number handed out.</summary>
    public long Issued { get; private set; }

    /// <summary>Every ticket numbered up to this may buy.</summary>
    public long Admitted { get; private set; }

    /// <summary>Numbered places and pre-queue members held.</summary>
    public int Places => holders.Count + preQueues.Values.Sum(p => p.Placed ? 0 : p.Draws.Count);

    /// <summary>Rebuilds a line from what its room stored; every place it knew of lives for <see cref="FirstAnswerLife"/> from <paramref name="now"/>.</summary>
    public static WaitingLine Restore(WaitingRoomRecord record, DateTimeOffset now)
    {
        var waiting = new WaitingLine(record.Reserved, record.Admitted);
        foreach (var member in record.Members)
        {
            waiting.PreQueueOf(member.Opening).Draws.TryAdd(member.CitizenId, member.Draw);
        }

        foreach (var (opening, first) in record.Placed)
        {
            var preQueue = waiting.PreQueueOf(opening);
            preQueue.Place(first);
            for (var i = 0; i < preQueue.Order.Length; i++)
            {
                waiting.Hold(preQueue.Order[i], first + i, now + FirstAnswerLife);
            }
        }

        return waiting;
    }

    /// <summary>Canonical form of an opening: UTC to the microsecond, as PostgreSQL keeps it.</summary>
    public static DateTimeOffset OpeningKey(DateTimeOffset opening) =>
        new(opening.UtcTicks - opening.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>A place for the claim; null when the line is full.</summary>
    public TicketGrant? Take(TicketClaim claim, DateTimeOffset now, Func<long> draw)
    {
        if (claim.PreQueueOpening is { } opening && now < opening)
        {
            var preQueue = PreQueueOf(opening);
            if (!preQueue.Placed)
            {
                if (!preQueue.Draws.TryGetValue(claim.CitizenId, out var drawn))
                {
                    if (Places >= PlacesMax)
                    {
                        return null;
                    }

                    drawn = draw();
                    preQueue.Draws.Add(claim.CitizenId, drawn);
                    newMembers.Add(new PreQueueMember(preQueue.Opening, claim.CitizenId, drawn));
                }

                return new TicketGrant(null, preQueue.Opening, drawn);
            }
        }

        if (holders.TryGetValue(claim.CitizenId, out var held) && held.ExpiresAt >= now)
        {
            return new TicketGrant(held.Number);
        }

        if (holders.Count >= PlacesMax)
        {
            return null;
        }

        var number = ++Issued;
        line.Add(claim.CitizenId);
        holders[claim.CitizenId] = new Holder(number, now + FirstAnswerLife);
        return new TicketGrant(number);
    }

    /// <summary>A gateway answered with this ticket: its holder keeps the place until the answer's expiry.</summary>
    public void See(TicketSeen seen, DateTimeOffset now)
    {
        if (seen.Place.Number is not { } number)
        {
            // A member a restarted room had not stored (the store has every member told so far; this only
            // completes it) keeps its draw.
            if (seen.Place.Opening is { } opening && PreQueueOf(opening) is { Placed: false } preQueue
                && preQueue.Draws.TryAdd(seen.CitizenId, seen.Place.Draw))
            {
                newMembers.Add(new PreQueueMember(preQueue.Opening, seen.CitizenId, seen.Place.Draw));
            }

            return;
        }

        if (holders.TryGetValue(seen.CitizenId, out var held))
        {
            if (held.Number == number && seen.ExpiresAt > held.ExpiresAt)
            {
                holders[seen.CitizenId] = held with { ExpiresAt = seen.ExpiresAt };
            }

            return;
        }

        // A ticket from before this room restarted: it keeps its number, wherever the frontier is.
        if (seen.ExpiresAt >= now && number <= Issued)
        {
            Hold(seen.CitizenId, number, seen.ExpiresAt);
        }
    }

    /// <summary>Never moves the frontier back, whatever a restart lost: a gateway told tickets up to this that they may buy.</summary>
    public void RaiseAdmitted(long admitted)
    {
        while (Admitted < Math.Min(admitted, Issued))
        {
            Pop();
        }
    }

    /// <summary>
    /// Admits the next live tickets in number order, one for each whole unit of <paramref name="credit"/>
    /// added to what was left (at most <paramref name="creditMax"/> carried), passing dead and unknown numbers free.
    /// </summary>
    public void Admit(double credit, double creditMax, DateTimeOffset now)
    {
        this.credit = Math.Min(this.credit + credit, Math.Max(1, creditMax));
        while (Admitted < Issued)
        {
            var live = line[head] is { } citizen && IsLive(citizen, Admitted + 1, now);
            if (live && this.credit < 1)
            {
                break;
            }

            if (live)
            {
                this.credit -= 1;
            }

            Pop();
        }
    }

    /// <summary>Live tickets behind the frontier.</summary>
    public int CountWaiting(DateTimeOffset now)
    {
        var waiting = 0;
        for (var i = head; i < line.Count; i++)
        {
            if (line[i] is { } citizen && IsLive(citizen, Admitted + 1 + i - head, now))
            {
                waiting++;
            }
        }

        return waiting;
    }

    /// <summary>The pre-queues not yet placed, with their sizes.</summary>
    public IReadOnlyList<PreQueueCount> WaitingPreQueues() =>
        preQueues.Values.Where(p => !p.Placed && p.Draws.Count > 0).Select(p => new PreQueueCount(p.Opening, p.Draws.Count)).ToArray();

    /// <summary>Pre-queues whose opening has passed and that are not placed yet.</summary>
    public IReadOnlyList<DateTimeOffset> DuePreQueues(DateTimeOffset now) =>
        preQueues.Values.Where(p => !p.Placed && p.Opening <= now).Select(p => p.Opening).Order().ToArray();

    /// <summary>The first number an opening's pre-queue would take if placed now, and how many it holds.</summary>
    public (long FirstNumber, int Count) NextPlacement(DateTimeOffset opening) => (Issued + 1, PreQueueOf(opening).Draws.Count);

    /// <summary>
    /// Places an opening's pre-queue in draw order from <paramref name="firstNumber"/> (as stored: at least
    /// the next number, or an earlier activation's), every member ahead of every ticket taken after it.
    /// </summary>
    public void Place(DateTimeOffset opening, long firstNumber, DateTimeOffset now)
    {
        var preQueue = PreQueueOf(opening);
        preQueue.Place(firstNumber);
        while (Issued < firstNumber + preQueue.Order.Length - 1)
        {
            Issued++;
            line.Add(null);
        }

        for (var i = 0; i < preQueue.Order.Length; i++)
        {
            Hold(preQueue.Order[i], firstNumber + i, now + FirstAnswerLife);
        }
    }

    /// <summary>An opening's placed pre-queue; null when it is not placed.</summary>
    public PreQueueOrder? OrderOf(DateTimeOffset opening) =>
        preQueues.TryGetValue(OpeningKey(opening), out var preQueue) && preQueue.Placed
            ? new PreQueueOrder(preQueue.FirstNumber, preQueue.Order)
            : null;

    /// <summary>Members added since the last call, to be stored before they are told.</summary>
    public IReadOnlyList<PreQueueMember> TakeNewMembers()
    {
        var taken = newMembers.ToArray();
        newMembers.Clear();
        return taken;
    }

    /// <summary>Forgets holders whose place ended long ago (their number is behind the frontier, or dead).</summary>
    public void Sweep(DateTimeOffset now)
    {
        var dead = holders.Where(h => h.Value.ExpiresAt < now - FirstAnswerLife).Select(h => h.Key).ToArray();
        foreach (var citizen in dead)
        {
            holders.Remove(citizen);
        }
    }

    private bool IsLive(string citizen, long number, DateTimeOffset now) =>
        holders.TryGetValue(citizen, out var held) && held.Number == number && held.ExpiresAt >= now;

    private void Hold(string citizen, long number, DateTimeOffset expiresAt)
    {
        holders[citizen] = new Holder(number, expiresAt);
        if (number > Admitted && number <= Issued)
        {
            line[head + (int)(number - Admitted - 1)] = citizen;
        }
    }

    private void Pop()
    {
        Admitted++;
        line[head++] = null;
        if (head > 4_096 && head > line.Count / 2)
        {
            line.RemoveRange(0, head);
            head = 0;
        }
    }

    private PreQueue PreQueueOf(DateTimeOffset opening)
    {
        var key = OpeningKey(opening);
        if (!preQueues.TryGetValue(key, out var preQueue))
        {
            preQueues[key] = preQueue = new PreQueue(key);
        }

        return preQueue;
    }

    private readonly record struct Holder(long Number, DateTimeOffset ExpiresAt);

    private sealed class PreQueue(DateTimeOffset opening)
    {
        public DateTimeOffset Opening { get; } = opening;

        public Dictionary<string, long> Draws { get; } = new(StringComparer.Ordinal);

        public bool Placed { get; private set; }

        public long FirstNumber { get; private set; }

        public string[] Order { get; private set; } = [];

        public void Place(long firstNumber)
        {
            // Draw order, the citizen id breaking ties, so every activation places the same members alike.
            Order = Draws.OrderBy(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Key).ToArray();
            FirstNumber = firstNumber;
            Placed = true;
        }
    }
}
