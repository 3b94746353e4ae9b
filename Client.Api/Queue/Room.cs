using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Queue;

/// <summary>
/// This gateway's side of one program-month's waiting room: the view it last fetched (refreshed by
/// <see cref="WaitingRooms"/> each step while the room is in use), claims batched into one call at a time,
/// the tickets it answered with since its last report, what it measured of the program-month's purchases,
/// and each opening's placed pre-queue once fetched.
/// </summary>
public sealed class Room(ProgramMonth programMonth, IGrainFactory grains, string gateway)
{
    /// <summary>Tickets reported per step at most; past this, a holder's place lives on its first answer's expiry.</summary>
    public const int SeenMax = 100_000;

    /// <summary>Claims waiting for the call in flight at most; past this, a claim gets no place (503).</summary>
    public const int ClaimsWaitingMax = 100_000;

    /// <summary>A view older than this is refreshed in the background when next used (the step refreshes it anyway).</summary>
    public static readonly TimeSpan ViewFreshFor = TimeSpan.FromSeconds(2);

    private readonly IWaitingRoomGrain grain = grains.GetWaitingRoom(programMonth);
    private readonly Lock gate = new();
    private readonly ConcurrentQueue<TicketSeen> seen = new();
    private readonly ConcurrentDictionary<DateTimeOffset, Lazy<Task<Dictionary<string, long>?>>> preQueueOrders = new();
    private List<(TicketClaim Claim, TaskCompletionSource<TicketGrant> Grant)> claims = [];
    private bool taking;
    private WaitingRoomView? view;
    private long viewAt;
    private Task<WaitingRoomView>? fetching;
    private long admittedSeen;
    private volatile bool grantedBeyond;
    private int seenCount;
    private int completed;
    private int turnedBack;

    public ProgramMonth ProgramMonth => programMonth;

    /// <summary>When a request last used the room (a timestamp).</summary>
    public long UsedAt { get; private set; } = Stopwatch.GetTimestamp();

    /// <summary>
    /// The room as last fetched; fetched now only if there is none. A stale one is used as it is and refreshed
    /// in the background: the frontier never moves back, so a stale view still admits rightly (it may only
    /// queue a little long), while making every request wait for the refresh of a gateway too busy to refresh
    /// on time stalled them all (the storm benchmark saw seconds without an answer).
    /// </summary>
    public async ValueTask<WaitingRoomView> ViewAsync()
    {
        UsedAt = Stopwatch.GetTimestamp();
        if (Volatile.Read(ref view) is not { } current)
        {
            return await ReportAsync();
        }

        if (Stopwatch.GetElapsedTime(Volatile.Read(ref viewAt)) >= ViewFreshFor)
        {
            _ = ReportAsync().ContinueWith(
                refresh => _ = refresh.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        return current;
    }

    /// <summary>Whether buyers wait here: a newcomer takes a ticket rather than going ahead of them.</summary>
    public bool IsQueueing(WaitingRoomView current, DateTimeOffset now) => grantedBeyond || current.IsQueueing(now);

    /// <summary>A place for the claim, taken with every other claim waiting in one call; null when the room is full.</summary>
    public Task<TicketGrant> TakeAsync(TicketClaim claim)
    {
        var grant = new TaskCompletionSource<TicketGrant>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (claims.Count >= ClaimsWaitingMax)
            {
                return Task.FromResult(new TicketGrant(null));
            }

            claims.Add((claim, grant));
            if (!taking)
            {
                taking = true;
                _ = Task.Run(TakeWaitingAsync);
            }
        }

        return grant.Task;
    }

    /// <summary>The citizen's number in an opening's placed pre-queue; (false, null) while it is not placed yet.</summary>
    public async Task<(bool Placed, long? Number)> NumberInPreQueueAsync(DateTimeOffset opening, string citizenId)
    {
        var order = preQueueOrders.GetOrAdd(opening, o => new(() => FetchOrderAsync(o)));
        Dictionary<string, long>? numbers;
        try
        {
            numbers = await order.Value;
        }
        catch
        {
            preQueueOrders.TryRemove(new(opening, order));
            throw;
        }

        if (numbers is null)
        {
            // Not placed yet (this gateway's clock is ahead of the room's): asked again on the next request.
            preQueueOrders.TryRemove(new(opening, order));
            return (false, null);
        }

        return (true, numbers.TryGetValue(citizenId, out var number) ? number : null);
    }

    /// <summary>Reports a ticket this gateway answered with.</summary>
    public void Saw(QueueTicket ticket)
    {
        if (Interlocked.Increment(ref seenCount) <= SeenMax)
        {
            seen.Enqueue(ticket.Seen);
        }
        else
        {
            Interlocked.Decrement(ref seenCount);
        }
    }

    public void Completed() => Interlocked.Increment(ref completed);

    public void TurnedBack() => Interlocked.Increment(ref turnedBack);

    /// <summary>Sends what was measured and seen since the last report; keeps the view it gets back.</summary>
    public Task<WaitingRoomView> ReportAsync()
    {
        lock (gate)
        {
            return fetching ??= SendAsync();
        }
    }

    private async Task<WaitingRoomView> SendAsync()
    {
        await Task.Yield();
        // Shared work, no one request's: it joins no request's trace.
        Activity.Current = null;
        try
        {
            var sent = new List<TicketSeen>();
            while (sent.Count < SeenMax && seen.TryDequeue(out var ticket))
            {
                sent.Add(ticket);
                Interlocked.Decrement(ref seenCount);
            }

            var report = new WaitingRoomReport(
                gateway, Interlocked.Read(ref admittedSeen), Interlocked.Exchange(ref completed, 0),
                Interlocked.Exchange(ref turnedBack, 0), sent);
            var fetched = await grain.ReportAsync(report);
            if (fetched.Admitted > Interlocked.Read(ref admittedSeen))
            {
                Interlocked.Exchange(ref admittedSeen, fetched.Admitted);
            }

            grantedBeyond = false;
            Volatile.Write(ref view, fetched);
            Volatile.Write(ref viewAt, Stopwatch.GetTimestamp());
            return fetched;
        }
        finally
        {
            lock (gate)
            {
                fetching = null;
            }
        }
    }

    private async Task TakeWaitingAsync()
    {
        Activity.Current = null;
        while (true)
        {
            List<(TicketClaim Claim, TaskCompletionSource<TicketGrant> Grant)> batch;
            lock (gate)
            {
                if (claims.Count == 0)
                {
                    taking = false;
                    return;
                }

                batch = claims.Count <= TicketClaim.BatchMax ? claims : claims[..TicketClaim.BatchMax];
                claims = claims.Count <= TicketClaim.BatchMax ? [] : claims[TicketClaim.BatchMax..];
            }

            try
            {
                var grants = await grain.TakeAsync(batch.Select(c => c.Claim).ToArray());
                var admitted = Volatile.Read(ref view)?.Admitted ?? 0;
                if (grants.Any(g => g.Number > admitted))
                {
                    grantedBeyond = true;
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Grant.SetResult(grants[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var (_, grant) in batch)
                {
                    grant.SetException(e);
                }
            }
        }
    }

    private async Task<Dictionary<string, long>?> FetchOrderAsync(DateTimeOffset opening)
    {
        if (await grain.GetPreQueueOrderAsync(opening) is not { } order)
        {
            return null;
        }

        var numbers = new Dictionary<string, long>(order.Citizens.Count, StringComparer.Ordinal);
        for (var i = 0; i < order.Citizens.Count; i++)
        {
            numbers[order.Citizens[i]] = order.FirstNumber + i;
        }

        return numbers;
    }
}
