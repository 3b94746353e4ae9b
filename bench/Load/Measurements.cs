using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// What a run saw, safe to record from any thread: a latency histogram per outcome (HdrHistogram recorders,
/// microseconds), the confirmed purchases, when each channel was first seen full, answers with a 5xx status
/// (503 apart too), and a point per second.
/// </summary>
public sealed class Measurements
{
    public const int ErrorSamplesMax = 20;
    private const long LatencyMicrosMax = 10L * 60 * 1_000_000;

    private readonly Scenario scenario;
    private readonly Recorder[] recorders = Enum.GetValues<Outcome>().Select(_ => NewRecorder()).ToArray();
    private readonly HistogramBase[] totals = Enum.GetValues<Outcome>().Select(_ => NewHistogram()).ToArray();
    private readonly Recorder purchases = NewRecorder();
    private readonly HistogramBase purchaseTotal = NewHistogram();
    private readonly long[] soldNet;
    private readonly long[] fullAtTicks;
    private readonly List<SecondPoint> series = [];
    private readonly ConcurrentQueue<string> errorSamples = new();
    private long lastConfirmedTicks;
    private long citizensDone;
    private long sent;
    private long sentBefore;
    private long errorSampleCount;
    private long serverErrors;
    private long unavailable;

    public Measurements(Scenario scenario)
    {
        this.scenario = scenario;
        soldNet = new long[scenario.Sales.Count * 2];
        fullAtTicks = new long[scenario.Sales.Count * 2];
    }

    public Stopwatch Clock { get; } = new();

    public ConcurrentQueue<SeenPurchase> Seen { get; } = new();

    public IReadOnlyList<SecondPoint> Series => series;

    public IReadOnlyCollection<string> ErrorSamples => errorSamples;

    public long CitizensDone => Interlocked.Read(ref citizensDone);

    /// <summary>Answers with a 5xx status, 503 included.</summary>
    public long ServerErrors => Interlocked.Read(ref serverErrors);

    /// <summary>Answers with status 503 (overload with Retry-After, or nothing reachable).</summary>
    public long Unavailable => Interlocked.Read(ref unavailable);

    /// <summary>
    /// When the sales open, on the run's clock, in a run with a pre-queue (set once the clock starts); null
    /// when they were open before the run.
    /// </summary>
    public TimeSpan? Opening { get; set; }

    public void Record(Outcome outcome, long startedTimestamp, bool purchase, string? detail = null, int status = 0)
    {
        if (status >= 500)
        {
            Interlocked.Increment(ref serverErrors);
            if (status == 503)
            {
                Interlocked.Increment(ref unavailable);
            }
        }

        var micros = Math.Clamp((long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMicroseconds, 1, LatencyMicrosMax);
        recorders[(int)outcome].RecordValue(micros);
        if (purchase)
        {
            purchases.RecordValue(micros);
        }

        if (outcome == Outcome.Error && Interlocked.Increment(ref errorSampleCount) <= ErrorSamplesMax)
        {
            errorSamples.Enqueue(detail ?? "unknown");
        }
    }

    public long Sent => Interlocked.Read(ref sent);

    /// <summary>A request goes out: what is offered, answered or not.</summary>
    public void Sending() => Interlocked.Increment(ref sent);

    public void CitizenDone() => Interlocked.Increment(ref citizensDone);

    /// <summary>When the last purchase was confirmed: the end of selling, past the tail of refusals after a sell-out.</summary>
    public TimeSpan LastConfirmed => TimeSpan.FromTicks(Interlocked.Read(ref lastConfirmedTicks));

    public void Confirmed(SeenPurchase purchase)
    {
        Seen.Enqueue(purchase);
        InterlockedMax(ref lastConfirmedTicks, Clock.Elapsed.Ticks);
        Sold(purchase.SaleIndex, purchase.Channel, purchase.Amount);
    }

    public void Cancelled(SeenPurchase purchase)
    {
        purchase.Cancelled = true;
        Sold(purchase.SaleIndex, purchase.Channel, -purchase.Amount);
    }

    /// <summary>A sold-out answer: the channel was full at this instant.</summary>
    public void SoldOut(int saleIndex, Channel channel) => MarkFull(Slot(saleIndex, channel));

    /// <summary>
    /// Seconds from the start until every channel with a cap was first seen full (a sold-out answer, or the
    /// confirmed purchases adding up to its cap); null when one never was.
    /// </summary>
    public double? SellOutSeconds()
    {
        var slots = scenario.Sales.SelectMany((sale, i) => Enum.GetValues<Channel>()
            .Where(channel => sale.Policy.Caps[channel] > 0)
            .Select(channel => fullAtTicks[Slot(i, channel)])).ToArray();
        return slots.Length > 0 && slots.All(t => t > 0) ? TimeSpan.FromTicks(slots.Max()).TotalSeconds : null;
    }

    /// <summary>Closes the second now ending: called once a second, and once at the end.</summary>
    public SecondPoint Tick()
    {
        long Take(Outcome outcome)
        {
            var interval = recorders[(int)outcome].GetIntervalHistogram();
            totals[(int)outcome].Add(interval);
            return interval.TotalCount;
        }

        var counts = Enum.GetValues<Outcome>().ToDictionary(o => o, Take);
        var purchaseInterval = purchases.GetIntervalHistogram();
        purchaseTotal.Add(purchaseInterval);
        var at = Clock.Elapsed.TotalSeconds;
        var sentNow = Interlocked.Read(ref sent);
        var sentInSecond = sentNow - sentBefore;
        sentBefore = sentNow;
        var point = new SecondPoint(
            series.Count + 1,
            at,
            at - (series.Count == 0 ? 0 : series[^1].At),
            sentInSecond,
            counts.Values.Sum(),
            counts[Outcome.Confirmed],
            counts[Outcome.Refused],
            counts[Outcome.Error],
            Millis(purchaseInterval, 50),
            Millis(purchaseInterval, 99),
            purchaseInterval.TotalCount == 0 ? 0 : purchaseInterval.GetMaxValue() / 1000.0,
            CitizensDone);
        series.Add(point);
        return point;
    }

    public OutcomeStats Stats(Outcome outcome) => StatsOf(totals[(int)outcome]);

    public OutcomeStats PurchaseStats() => StatsOf(purchaseTotal);

    private static OutcomeStats StatsOf(HistogramBase histogram) => new(
        histogram.TotalCount, Millis(histogram, 50), Millis(histogram, 95), Millis(histogram, 99),
        histogram.TotalCount == 0 ? 0 : histogram.GetMaxValue() / 1000.0);

    private static double Millis(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;

    private void Sold(int saleIndex, Channel channel, long amount)
    {
        var slot = Slot(saleIndex, channel);
        if (Interlocked.Add(ref soldNet[slot], amount) >= scenario.Sales[saleIndex].Policy.Caps[channel])
        {
            MarkFull(slot);
        }
    }

    private void MarkFull(int slot) => Interlocked.CompareExchange(ref fullAtTicks[slot], Math.Max(1, Clock.Elapsed.Ticks), 0);

    private static void InterlockedMax(ref long location, long value)
    {
        for (var seen = Interlocked.Read(ref location); value > seen; seen = Interlocked.Read(ref location))
        {
            if (Interlocked.CompareExchange(ref location, value, seen) == seen)
            {
                return;
            }
        }
    }

    private static int Slot(int saleIndex, Channel channel) => saleIndex * 2 + (int)channel;

    private static Recorder NewRecorder() => HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(LatencyMicrosMax).WithPrecisionOf(3)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();

    private static HistogramBase NewHistogram() => HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(LatencyMicrosMax).WithPrecisionOf(3).Create();
}
