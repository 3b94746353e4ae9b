using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Grains.WaitingRoom;

namespace Ledger.Grains.Tests;

/// <summary>The waiting room's line as plain state: numbering, admission, liveness, the pre-queue and restarts.</summary>
public sealed class WaitingLineTests
{
    private static readonly DateTimeOffset Now = new(2022, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private long draws;

    [Fact]
    public void Tickets_are_numbered_in_the_order_claimed_and_a_citizen_asking_again_keeps_their_place()
    {
        var line = new WaitingLine();

        var numbers = new[] { "a", "b", "c", "b" }.Select(c => line.Take(new TicketClaim(c), Now, Draw)!.Number).ToArray();

        Assert.Equal(new long?[] { 1, 2, 3, 2 }, numbers);
        Assert.Equal(3, line.CountWaiting(Now));
    }

    [Fact]
    public void Admission_follows_the_numbers_and_passes_a_holder_who_left_without_spending_a_place()
    {
        var line = new WaitingLine();
        foreach (var citizen in new[] { "a", "b", "c", "d" })
        {
            line.Take(new TicketClaim(citizen), Now, Draw);
        }

        // a and c keep coming back; b and d stopped after their first answer.
        var later = Now + WaitingLine.FirstAnswerLife + TimeSpan.FromSeconds(1);
        line.See(new TicketSeen("a", new TicketGrant(1), later + TimeSpan.FromSeconds(31)), Now);
        line.See(new TicketSeen("c", new TicketGrant(3), later + TimeSpan.FromSeconds(31)), Now);

        // One unit admits a and passes b free; the next admits c and passes d.
        line.Admit(1, 10, later);
        Assert.Equal(2, line.Admitted);
        line.Admit(1, 10, later);
        Assert.Equal(4, line.Admitted);
        Assert.Equal(0, line.CountWaiting(later));
    }

    [Fact]
    public void A_citizen_whose_place_expired_gets_a_new_one_at_the_back()
    {
        var line = new WaitingLine();
        line.Take(new TicketClaim("a"), Now, Draw);
        line.Take(new TicketClaim("b"), Now, Draw);

        var later = Now + WaitingLine.FirstAnswerLife + TimeSpan.FromSeconds(1);
        var again = line.Take(new TicketClaim("a"), later, Draw);

        Assert.Equal(3, again!.Number);
    }

    [Fact]
    public void The_pre_queue_is_placed_at_random_at_the_opening_ahead_of_everyone_after_it()
    {
        var line = new WaitingLine();
        var opening = Now.AddMinutes(10);
        var early = Enumerable.Range(0, 200).Select(i => $"early{i}").ToArray();
        foreach (var citizen in early)
        {
            var grant = line.Take(new TicketClaim(citizen, opening), Now, RandomDraw);
            Assert.Equal((null, opening), (grant!.Number, grant.Opening));
        }

        Assert.Equal(
            0, line.Take(new TicketClaim("early7", opening), Now, RandomDraw)!.Draw - line.Take(new TicketClaim("early7", opening), Now, RandomDraw)!.Draw);
        Assert.Equal([new PreQueueCount(opening, 200)], line.WaitingPreQueues());
        Assert.Equal(200, line.TakeNewMembers().Count);

        Assert.Equal([opening], line.DuePreQueues(opening));
        var (first, count) = line.NextPlacement(opening);
        line.Place(opening, first, opening);
        var late = line.Take(new TicketClaim("late"), opening, RandomDraw);
        var order = line.OrderOf(opening)!;

        Assert.Equal((1, 200), (first, count));
        Assert.Equal(early.Order(), order.Citizens.Order());
        Assert.NotEqual(early, order.Citizens);
        Assert.Equal(201, late!.Number);
        // A member asking after the opening gets their placed number.
        Assert.Equal(1 + order.Citizens.ToList().IndexOf("early7"), line.Take(new TicketClaim("early7"), opening, RandomDraw)!.Number);
        Assert.Empty(line.WaitingPreQueues());
    }

    [Fact]
    public void A_restored_line_numbers_after_every_reserved_number_never_moves_back_and_relearns_old_tickets()
    {
        var record = new WaitingRoomRecord(Reserved: 100, Admitted: 40, new Dictionary<DateTimeOffset, long>(), []);
        var line = WaitingLine.Restore(record, Now);

        var next = line.Take(new TicketClaim("new"), Now, Draw);
        line.RaiseAdmitted(45);
        line.See(new TicketSeen("old", new TicketGrant(60), Now.AddSeconds(40)), Now);
        line.Admit(1, 10, Now);

        Assert.Equal(101, next!.Number);
        // Unknown numbers are passed free; the old ticket that came back is admitted with the unit.
        Assert.Equal(100, line.Admitted);
        Assert.Equal(1, line.CountWaiting(Now));
    }

    [Fact]
    public void A_restored_line_places_a_stored_pre_queue_exactly_as_before()
    {
        var opening = Now.AddMinutes(1);
        var members = Enumerable.Range(0, 50).Select(i => new PreQueueMember(opening, $"c{i}", RandomDraw())).ToArray();
        var before = new WaitingLine();
        foreach (var member in members)
        {
            before.See(new TicketSeen(member.CitizenId, new TicketGrant(null, opening, member.Draw), opening), Now);
        }

        before.Place(opening, 1, opening);
        var restored = WaitingLine.Restore(
            new WaitingRoomRecord(50 + 4_096, 0, new Dictionary<DateTimeOffset, long> { [opening] = 1 }, members), opening);

        Assert.Equal(before.OrderOf(opening)!.Citizens, restored.OrderOf(opening)!.Citizens);
        Assert.Equal(4_146 + 1, restored.Take(new TicketClaim("later"), opening, Draw)!.Number);
    }

    [Fact]
    public void The_admission_rate_rises_while_people_wait_and_falls_when_admitted_buyers_are_turned_back()
    {
        var rate = new AdmissionRate(Now);
        var at = Now;
        // Nobody waits: the rate follows what is answered, 1,000/s.
        for (var i = 0; i < 4; i++)
        {
            at += AdmissionRate.Step;
            rate.Observe(Report(completed: 250), at);
            rate.Adjust(at, queueing: false);
        }

        Assert.Equal(1_000, rate.PerSecond, precision: 6);
        for (var i = 0; i < 2; i++)
        {
            at += AdmissionRate.Step;
            rate.Observe(Report(completed: 250), at);
            rate.Adjust(at, queueing: true);
        }

        var risen = rate.PerSecond;
        at += AdmissionRate.Step;
        rate.Observe(Report(completed: 250, turnedBack: 3), at);
        rate.Adjust(at, queueing: true);

        Assert.Equal((1_000 * 1.25 + 1) * 1.25 + 1, risen, precision: 6);
        Assert.Equal(risen * 0.8, rate.PerSecond, precision: 6);

        // The ledger's backlog past its mark slows it down too.
        var slowed = rate.PerSecond;
        at += AdmissionRate.Step;
        rate.ObservePending(AdmissionRate.PendingHigh + 1);
        rate.Observe(Report(completed: 250), at);
        rate.Adjust(at, queueing: true);
        Assert.Equal(slowed * 0.8, rate.PerSecond, precision: 6);
    }

    private static WaitingRoomReport Report(int completed, int turnedBack = 0) =>
        new("g", 0, completed, turnedBack, []);

    private long Draw() => ++draws;

    private static long RandomDraw() => Random.Shared.NextInt64(long.MaxValue);
}
