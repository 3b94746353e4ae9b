using System.Diagnostics;
using System.Globalization;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// One citizen's visit as the plan says: poll the remaining cap, buy (twice at once with the same key on a
/// double-tap), maybe try a second purchase with a new key, maybe cancel the first at the end. Every request
/// is timed and counted by its outcome; a double-tap that buys twice is an error. Each purchase has a key of
/// its own, as a real client makes them: a teller's keys are the teller's, across every citizen it serves.
/// When the scenario follows the queue, a purchase answered 429 or 503 with Retry-After is sent again after it,
/// with the same key and the last Queue-Ticket it got, until a final answer; each attempt counts as a request.
/// </summary>
public sealed class CitizenFlow(ILedgerDriver driver, Scenario scenario, Measurements measurements)
{
    /// <summary>How long a purchase follows the waiting room past its pre-queue before it counts as an error.</summary>
    public static readonly TimeSpan QueueFollowMax = TimeSpan.FromMinutes(10);

    private readonly TimeSpan followFor = (scenario.PreQueue ?? TimeSpan.Zero) + QueueFollowMax;

    public async Task RunAsync(CitizenPlan plan)
    {
        var sale = scenario.Sales[plan.SaleIndex];
        if (plan.PollsState)
        {
            measurements.Sending();
            var started = Stopwatch.GetTimestamp();
            var state = await driver.GetStateAsync(sale, plan.CitizenId);
            measurements.Record(state.Outcome, started, purchase: false, state.Detail, state.Status);
        }

        var first = plan.DoubleTap
            ? await DoubleTapAsync(plan, sale)
            : await BuyAsync(plan, sale, FirstKey(plan), plan.Channel);
        if (plan.SecondChannel is { } secondChannel)
        {
            await BuyAsync(plan, sale, plan.CitizenId + "-k2", secondChannel);
        }

        if (plan.Cancels && first is not null)
        {
            measurements.Sending();
            var started = Stopwatch.GetTimestamp();
            var cancel = await driver.CancelAsync(sale, plan.CitizenId, first.Sequence);
            measurements.Record(cancel.Outcome, started, purchase: false, cancel.Detail, cancel.Status);
            if (cancel.Outcome == Outcome.Cancelled)
            {
                measurements.Cancelled(first);
            }
        }

        measurements.CitizenDone();
    }

    private async Task<SeenPurchase?> DoubleTapAsync(CitizenPlan plan, Sale sale)
    {
        var taps = await Task.WhenAll(
            SendAsync(plan, sale, FirstKey(plan), plan.Channel), SendAsync(plan, sale, FirstKey(plan), plan.Channel));
        var (first, again) = (taps[0], taps[1]);
        if (first.Outcome == Outcome.Confirmed && again.Outcome == Outcome.Confirmed)
        {
            var duplicate = first.Sequence == again.Sequence ? Outcome.Duplicate : Outcome.Error;
            Record(first, plan, plan.Channel);
            measurements.Record(duplicate, again.Started, purchase: true, $"double-tap bought twice: {first.Sequence} and {again.Sequence}");
            return Seen(first, plan, plan.Channel);
        }

        Record(first, plan, plan.Channel);
        Record(again, plan, plan.Channel);
        var confirmed = first.Outcome == Outcome.Confirmed ? first : again.Outcome == Outcome.Confirmed ? again : (TimedAnswer?)null;
        return confirmed is { } one ? Seen(one, plan, plan.Channel) : null;
    }

    private static string FirstKey(CitizenPlan plan) => plan.CitizenId + "-k1";

    private async Task<SeenPurchase?> BuyAsync(CitizenPlan plan, Sale sale, string key, Channel channel)
    {
        var answer = await SendAsync(plan, sale, key, channel);
        Record(answer, plan, channel);
        return answer.Outcome == Outcome.Confirmed ? Seen(answer, plan, channel) : null;
    }

    /// <summary>
    /// One purchase until its final answer: the refusals it follows are recorded here, the last answer by the
    /// caller (an error when the purchase was still queued when its time to follow the queue ran out).
    /// </summary>
    private async Task<TimedAnswer> SendAsync(CitizenPlan plan, Sale sale, string key, Channel channel)
    {
        var first = Stopwatch.GetTimestamp();
        string? ticket = null;
        while (true)
        {
            measurements.Sending();
            var started = Stopwatch.GetTimestamp();
            var answer = await driver.PurchaseAsync(sale, plan.CitizenId, key, channel, plan.Amount, ticket);
            if (!scenario.FollowsQueue || answer is not { Outcome: Outcome.Refused, RetryAfter: { } retryAfter })
            {
                return new TimedAnswer(answer, started);
            }

            if (Stopwatch.GetElapsedTime(first) + retryAfter > followFor)
            {
                var detail = string.Create(CultureInfo.InvariantCulture, $"still queued after {followFor.TotalSeconds:F0} s");
                return new TimedAnswer(Answer.Failed(detail, answer.Status), started);
            }

            measurements.Record(answer.Outcome, started, purchase: true, answer.Detail, answer.Status);
            ticket = answer.QueueTicket ?? ticket;
            await Task.Delay(retryAfter);
        }
    }

    private void Record(TimedAnswer answer, CitizenPlan plan, Channel channel)
    {
        measurements.Record(answer.Outcome, answer.Started, purchase: true, answer.Answer.Detail, answer.Answer.Status);
        if (answer.Outcome == Outcome.SoldOut)
        {
            measurements.SoldOut(plan.SaleIndex, channel);
        }
    }

    private SeenPurchase Seen(TimedAnswer answer, CitizenPlan plan, Channel channel)
    {
        var seen = new SeenPurchase(plan.SaleIndex, plan.CitizenId, channel, plan.Amount, answer.Answer.Sequence);
        measurements.Confirmed(seen);
        return seen;
    }

    private readonly record struct TimedAnswer(Answer Answer, long Started)
    {
        public Outcome Outcome => Answer.Outcome;

        public long Sequence => Answer.Sequence;
    }
}
