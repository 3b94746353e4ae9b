using System.Diagnostics.Metrics;
using Ledger.Client.Api.State;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.ServiceDefaults;

namespace Ledger.Client.Api.Queue;

/// <summary>
/// Where a purchase meets the waiting room. While nobody waits and the ledger's flow has room, a purchase
/// goes straight in. Otherwise the buyer takes a ticket (the same one if they hold a live one) and is
/// answered 429 <c>queued</c> with their position, until the room's frontier passes their number; then they
/// buy. A ticket not yet admitted is checked here alone, against the view of the room: no grain call. A
/// buyer the remaining cap cannot serve is not queued: the purchase path tells them sold-out at once.
/// </summary>
/// <remarks>With <c>Ledger:WaitingRoom:AlwaysQueue</c> every buyer takes a ticket first, for a sale an operator
/// knows will overflow (and for tests, which then see every step).</remarks>
public sealed class WaitingRoomDesk(
    WaitingRooms rooms, PurchaseFlow flow, QueueTickets tickets, StateReads states, TimeProvider clock, bool alwaysQueue)
{
    public const string AlwaysQueueSetting = "Ledger:WaitingRoom:AlwaysQueue";

    /// <summary>The longest a queued buyer is asked to wait before asking again.</summary>
    public const int RetryAfterMaxSeconds = 15;

    /// <summary>A place is kept while its holder comes back within Retry-After plus this.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(30);

    /// <summary>Pre-queued buyers are asked back at the opening plus up to this, spread at random, so they do not all ask at once.</summary>
    public const int PreQueueSpreadSeconds = 5;

    private static readonly Meter Meter = new(GatewayMetrics.MeterName);

    private static readonly Histogram<double> Waited = Meter.CreateHistogram(
        "ledger.gateway.queue.wait", unit: "s", description: "From a ticket's first answer to its purchase going in, per program-month.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800] });

    /// <summary>Buys through the waiting room; <paramref name="buy"/> asks the ledger.</summary>
    public async Task<PurchaseAnswer> BuyAsync(PurchaseRequest request, string? ticketHeader, Func<Task<PurchaseResult>> buy)
    {
        var now = clock.GetUtcNow();
        var room = rooms.For(request.ProgramMonth);
        var view = await room.ViewAsync();
        var ticket = tickets.Read(ticketHeader, request.ProgramMonth, request.CitizenId, now);
        if (ticket is { Number: null, Opening: { } opening })
        {
            if (now < opening)
            {
                return Queued(room, ticket, view, now);
            }

            var (placed, number) = await room.NumberInPreQueueAsync(opening, request.CitizenId);
            if (!placed)
            {
                return Queued(room, ticket, view, now, retryAfter: 1);
            }

            ticket = number is { } n ? ticket with { Place = new TicketGrant(n) } : null;
        }

        if (ticket is null)
        {
            var queueing = alwaysQueue || room.IsQueueing(view, now);
            // While a pre-queue fills, a newcomer in its window is asked in: the answer is "join the pre-queue",
            // and asking warms their citizen grain; a number taken now would go ahead of the pre-queue. While
            // people wait, only a newcomer whose own opening is ahead is (cohorts open at different times):
            // one whose sale is open takes a ticket behind those waiting.
            if (view.PreQueues.Any(p => p.Opening > now) && (!queueing || await IsInPreQueueWindowAsync(request, now)))
            {
                flow.Enter();
                return await BuyInFlowAsync(room, request, null, buy);
            }

            if (!queueing && flow.TryEnter())
            {
                return await BuyInFlowAsync(room, request, null, buy);
            }

            if (CannotServe(view, request))
            {
                return LedgerResults.Purchase(await buy());
            }

            ticket = await TakeAsync(room, request.ProgramMonth, new TicketClaim(request.CitizenId), now);
            if (ticket is null)
            {
                return LedgerResults.Unavailable("The waiting room is full; nothing was done.");
            }

            // Judged by the view from before the ticket, so a new place is always answered 429 with its ticket
            // (unless the citizen already held an admitted one), never a purchase that depends on a race.
        }

        if (ticket.Number > view.Admitted)
        {
            return CannotServe(view, request) ? LedgerResults.Purchase(await buy()) : Queued(room, ticket, view, now);
        }

        if (!flow.TryEnter())
        {
            // Admitted, but the ledger's flow is full here: next in line, and the room slows down.
            room.TurnedBack();
            return Queued(room, ticket, view, now, retryAfter: 1);
        }

        Waited.Record((now - ticket.IssuedAt).TotalSeconds,
            new("program", request.ProgramMonth.ProgramId), new("month", request.ProgramMonth.Month));
        return await BuyInFlowAsync(room, request, ticket, buy);
    }

    private async Task<PurchaseAnswer> BuyInFlowAsync(Room room, PurchaseRequest request, QueueTicket? ticket, Func<Task<PurchaseResult>> buy)
    {
        PurchaseResult result;
        try
        {
            result = await buy();
        }
        finally
        {
            flow.Exit();
        }

        room.Completed();
        var now = clock.GetUtcNow();
        if (result is { Outcome: PurchaseOutcome.PreQueue, OpensAt: { } opensAt })
        {
            // Not open yet, but within the pre-queue: joining it warmed this citizen's grain on the way.
            var preTicket = await TakeAsync(room, request.ProgramMonth, new TicketClaim(request.CitizenId, opensAt), now);
            return preTicket is null
                ? LedgerResults.Unavailable("The waiting room is full; nothing was done.")
                : Queued(room, preTicket, await room.ViewAsync(), now);
        }

        if (result.Outcome == PurchaseOutcome.Busy)
        {
            room.TurnedBack();
            ticket ??= await TakeAsync(room, request.ProgramMonth, new TicketClaim(request.CitizenId), now);
            if (ticket is not null)
            {
                return Queued(room, ticket, await room.ViewAsync(), now, retryAfter: 1);
            }
        }

        return LedgerResults.Purchase(result);
    }

    /// <summary>Whether the buyer's own opening is ahead and its pre-queue open, by the policy as the state reads last saw it.</summary>
    private async Task<bool> IsInPreQueueWindowAsync(PurchaseRequest request, DateTimeOffset now)
    {
        if (await states.ReadAsync(request.ProgramMonth) is not { Policy: var policy })
        {
            return false;
        }

        return policy.IsInPreQueue(policy.OpeningFor(request.ProgramMonth, request.BirthYear), now);
    }

    private static async Task<QueueTicket?> TakeAsync(Room room, ProgramMonth programMonth, TicketClaim claim, DateTimeOffset now)
    {
        var grant = await room.TakeAsync(claim);
        return grant.Number is null && grant.Opening is null ? null : new QueueTicket(programMonth, claim.CitizenId, grant, now, now);
    }

    /// <summary>Whether the remaining cap (as the room last read it) is too small for this purchase.</summary>
    private static bool CannotServe(WaitingRoomView view, PurchaseRequest request) =>
        view.Remaining is { } remaining && remaining[request.Channel] < request.Amount;

    /// <summary>
    /// 429 queued with the ticket, its expiry moved to Retry-After plus <see cref="KeptFor"/> from now. The
    /// buyer is asked back after about three quarters of the estimated wait: near their turn, and early
    /// rather than late if the rate rises, while each buyer far back costs a few retries, not one a second.
    /// </summary>
    private WithHeaders Queued(Room room, QueueTicket ticket, WaitingRoomView view, DateTimeOffset now, int? retryAfter = null)
    {
        long? position = null;
        int estimatedWait, wait;
        if (ticket.Number is { } number)
        {
            position = Math.Max(1, number - view.Admitted);
            estimatedWait = (int)Math.Min(int.MaxValue, Math.Ceiling(position.Value / Math.Max(view.AdmitPerSecond, 1)));
            wait = retryAfter ?? Math.Clamp((3 * estimatedWait + 3) / 4, 1, RetryAfterMaxSeconds);
        }
        else
        {
            estimatedWait = (int)Math.Ceiling(Math.Max(0, (ticket.Opening!.Value - now).TotalSeconds));
            wait = retryAfter ?? estimatedWait + Random.Shared.Next(1, PreQueueSpreadSeconds + 1);
        }

        var answered = ticket with { ExpiresAt = now + TimeSpan.FromSeconds(wait) + KeptFor };
        room.Saw(answered);
        return LedgerResults.Queued(tickets.Write(answered), position, estimatedWait, wait, answered.Opening);
    }
}
