using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains;

/// <summary>
/// What the grains tell an operator, on the meter and activity source named <see cref="Name"/>: purchases
/// by outcome, each program-month's remaining cap per channel and queue depth, and each batch commit (its
/// size and latency as metrics, and a span around its PostgreSQL command). The silo host decides where they
/// go (Prometheus, OTLP); nothing is recorded while nothing listens.
/// </summary>
/// <remarks>
/// <para>Every label has a bound an outsider cannot exhaust. A purchase is counted under its program-month only once
/// an answer showed that program-month exists (any outcome but NotFound, Busy and a failure: those can come
/// without its grain having a sale), for at most <see cref="LabelledProgramMonthsMax"/> program-months per silo;
/// others are counted by outcome alone. The other series are kept by program-months with a sale.</para>
/// <para>A batch commits many purchases in one transaction, so its span cannot be a child of each purchase's
/// trace. It is a child of the batch's oldest item (a purchase on its own, the common case when the load is
/// light, sees its database command in its own trace) and links to the traces of the others, up to
/// <see cref="LinksMax"/>: a trace viewer follows a purchase to the commit that made it durable through the
/// link, and the commit back to every purchase in it.</para>
/// </remarks>
public static class LedgerMetrics
{
    public const string Name = "Ledger";

    /// <summary>Purchases linked from one batch's span (OpenTelemetry's default limit of links per span).</summary>
    public const int LinksMax = 128;

    /// <summary>Program-months whose purchases a silo counts under their own labels; past this, by outcome alone.</summary>
    public const int LabelledProgramMonthsMax = 1_000;

    /// <summary>The instrument of purchases by outcome.</summary>
    public const string PurchasesInstrument = "ledger.purchases";

    /// <summary>
    /// Series of <see cref="PurchasesInstrument"/> at most: each outcome (and failed) for each labelled program-month
    /// and for none. The silo raises OpenTelemetry's bound per metric to this, so that no real sale's series is refused.
    /// </summary>
    public static readonly int PurchaseSeriesMax = (LabelledProgramMonthsMax + 1) * (Enum.GetValues<PurchaseOutcome>().Length + 1);

    private static readonly Meter Meter = new(Name);
    private static readonly ActivitySource Source = new(Name);

    private static readonly Counter<long> Purchases = Meter.CreateCounter<long>(
        PurchasesInstrument, description: "Purchases answered by the citizen grains, by program, month and outcome.");

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram(
        "ledger.commit.batch_size", unit: "{item}", description: "Purchases and cancels committed in one transaction.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000] });

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram(
        "ledger.commit.duration", unit: "s", description: "Time of one batch commit (ledger_commit), failed ones included.",
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
        });

    private static readonly Histogram<int> TransactionBatches = Meter.CreateHistogram(
        "ledger.commit.transaction.program_months", unit: "{program-month}",
        description: "Program-months whose batches one commit transaction carried.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });

    private static readonly Histogram<double> ConnectionWait = Meter.CreateHistogram(
        "ledger.commit.connection_wait", unit: "s", description: "Time a commit transaction waited for a pooled connection.",
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
        });

    private static readonly Counter<long> CommitFallbacks = Meter.CreateCounter<long>(
        "ledger.commit.fallbacks", unit: "{transaction}",
        description: "Commit transactions the database refused whole (by SQLSTATE), whose batches were then committed one by one.");

    private static readonly Histogram<double> RejectionsUnwrittenAge = Meter.CreateHistogram(
        "ledger.rejections.unwritten_age", unit: "s",
        description: "How long the oldest refusal of a written batch had been answered and not durable: a silo killed then loses it.",
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
        });

    private static readonly Counter<long> RejectionsWritten = Meter.CreateCounter<long>(
        "ledger.rejections.written", unit: "{refusal}", description: "Refusals written to ledger_rejections as their keys' answers.");

    // Program-months known to exist, whose purchases are counted under their labels (the value is unused).
    private static readonly ConcurrentDictionary<ProgramMonth, byte> Labelled = new();
    private static readonly Lock LabelledGate = new();

    // The program-month activations on this silo, each with how to read its figures.
    private static readonly ConcurrentDictionary<object, Tracked> ProgramMonths = new();

    static LedgerMetrics()
    {
        Meter.CreateObservableGauge(
            "ledger.cap.remaining", ObserveRemaining, unit: "{won}",
            description: "What is left to sell under the cap, in won, per program-month and channel (reservations deducted).");
        Meter.CreateObservableGauge(
            "ledger.queue.depth", ObserveQueueDepth, unit: "{item}",
            description: "Purchases and cancels admitted by a program-month and waiting for their commit.");
    }

    public static void CountPurchase(ProgramMonth programMonth, PurchaseOutcome outcome) =>
        CountPurchase(programMonth, outcome.ToString(), exists: outcome is not (PurchaseOutcome.NotFound or PurchaseOutcome.Busy));

    /// <summary>Counts a purchase whose outcome is unknown to the citizen grain (an exception).</summary>
    public static void CountFailedPurchase(ProgramMonth programMonth) => CountPurchase(programMonth, "Failed", exists: false);

    /// <summary>A batch of refusals became durable; <paramref name="oldestAge"/> is how long its oldest one had waited.</summary>
    public static void RecordRejectionsWritten(int count, TimeSpan oldestAge)
    {
        RejectionsWritten.Add(count);
        RejectionsUnwrittenAge.Record(oldestAge.TotalSeconds);
    }

    /// <summary>A commit transaction got its connection after <paramref name="connectionWait"/>, for this many program-months' batches.</summary>
    public static void RecordCommitTransaction(int programMonths, TimeSpan connectionWait)
    {
        TransactionBatches.Record(programMonths);
        ConnectionWait.Record(connectionWait.TotalSeconds);
    }

    /// <summary>The database refused a commit transaction whole with <paramref name="sqlState"/>; its batches go one by one.</summary>
    public static void CountCommitFallback(string sqlState) => CommitFallbacks.Add(1, new KeyValuePair<string, object?>("sqlstate", sqlState));

    /// <summary>
    /// Reports a program-month activation's queue depth and remaining caps until <see cref="Untrack"/>. The
    /// functions run on the metrics exporter's thread, outside the grain's turns: they must only read fields
    /// that are replaced whole (a count, references to immutable records), so a scrape may see a figure a
    /// moment old, never a torn one.
    /// </summary>
    public static void Track(object activation, ProgramMonth programMonth, Func<int> queueDepth, Func<ChannelAmounts?> remaining) =>
        ProgramMonths[activation] = new Tracked(programMonth, queueDepth, remaining);

    public static void Untrack(object activation) => ProgramMonths.TryRemove(activation, out _);

    /// <summary>
    /// Starts measuring a batch commit: its span (see the remarks) becomes the parent of the PostgreSQL
    /// command. Dispose it when the commit has ended, however it ended.
    /// </summary>
    internal static CommitMeasurement StartCommit(ProgramMonth programMonth, Batch batch)
    {
        Activity? activity = null;
        if (Source.HasListeners() && batch.Count > 0)
        {
            var callers = batch.Items.Cast<IWaitingItem>().Select(i => i.Caller);
            var links = callers.Skip(1).Where(c => c != default).Take(LinksMax).Select(c => new ActivityLink(c)).ToArray();
            activity = Source.StartActivity(
                "ledger commit", ActivityKind.Internal, callers.First(), Tags(programMonth), links);
            activity?.SetTag("ledger.batch.follow_ups", batch.FollowUps.Count);
            activity?.SetTag("ledger.batch.purchases", batch.Purchases.Count);
        }

        return new CommitMeasurement(programMonth, batch.Count, Stopwatch.GetTimestamp(), activity);
    }

    /// <param name="exists">Whether the answer shows the program-month exists.</param>
    private static void CountPurchase(ProgramMonth programMonth, string outcome, bool exists)
    {
        if (IsLabelled(programMonth, exists))
        {
            Purchases.Add(1, new("program", programMonth.ProgramId), new("month", programMonth.Month), new("outcome", outcome));
        }
        else
        {
            Purchases.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private static bool IsLabelled(ProgramMonth programMonth, bool exists)
    {
        if (Labelled.ContainsKey(programMonth))
        {
            return true;
        }

        if (!exists)
        {
            return false;
        }

        lock (LabelledGate)
        {
            return (Labelled.Count < LabelledProgramMonthsMax && Labelled.TryAdd(programMonth, 0)) || Labelled.ContainsKey(programMonth);
        }
    }

    private static IEnumerable<Measurement<long>> ObserveRemaining()
    {
        foreach (var tracked in ProgramMonths.Values)
        {
            if (tracked.Remaining() is { } remaining)
            {
                foreach (var channel in Enum.GetValues<Channel>())
                {
                    yield return new Measurement<long>(
                        remaining[channel], [.. Tags(tracked.ProgramMonth), new("channel", channel.ToName())]);
                }
            }
        }
    }

    // A program-month without a policy (an activation for a request about nothing) reports nothing.
    private static IEnumerable<Measurement<int>> ObserveQueueDepth() =>
        ProgramMonths.Values.Where(t => t.Remaining() is not null)
            .Select(t => new Measurement<int>(t.QueueDepth(), Tags(t.ProgramMonth)));

    private static KeyValuePair<string, object?>[] Tags(ProgramMonth programMonth) =>
        [new("program", programMonth.ProgramId), new("month", programMonth.Month)];

    private sealed record Tracked(ProgramMonth ProgramMonth, Func<int> QueueDepth, Func<ChannelAmounts?> Remaining);

    /// <summary>One batch commit being measured; see <see cref="StartCommit"/>.</summary>
    internal readonly struct CommitMeasurement(ProgramMonth programMonth, int size, long startedAt, Activity? activity)
        : IDisposable
    {
        public void Dispose()
        {
            var tags = Tags(programMonth);
            BatchSize.Record(size, tags);
            CommitDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tags);
            activity?.Dispose();
        }
    }
}
