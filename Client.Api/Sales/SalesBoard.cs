using System.Diagnostics;
using System.Text.Json;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ledger.Client.Api.Sales;

/// <summary>
/// The read model behind the public sales page: each program-month of the current month with its live
/// state (from its grain) and its curve since opening (from the ledger). However many people watch, and
/// whatever they filter on, a gateway builds one feed at most once per <see cref="RefreshPeriod"/>, in the
/// background, and answers every request from the last one built: a filter by program is a lookup in it,
/// never a build of its own. The feed holds the first <see cref="ProgramsMax"/> programs and those asked
/// for by id lately (at most <see cref="WatchedMax"/>, and only ids the month has). Each program's ledger
/// is read only past what was already summed.
/// </summary>
public sealed class SalesBoard(
    IGrainFactory grains,
    SalesLedger ledger,
    [FromKeyedServices(SalesBoard.ClockKey)] TimeProvider clock,
    IOptions<HttpJsonOptions> json,
    ILogger<SalesBoard> logger)
{
    /// <summary>The ledger's clock, registered under the same key as the silo's (Ledger.Grains.LedgerClock).</summary>
    public const string ClockKey = "ledger";

    public const int ProgramsMax = 50;
    public const int ProgramsListedMax = 10_000;
    public const int WatchedMax = 50;
    public const int CurvesMax = 1_000;
    public const int EntriesPerReadMax = 10_000;
    public const int ReadsPerRefreshMax = 4;
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How long a program asked for by id stays in the feed after the last request for it.</summary>
    public static readonly TimeSpan WatchedFor = TimeSpan.FromMinutes(1);

    /// <summary>The longest a request waits for a feed that holds what it asks; once it is there, none waits.</summary>
    public static readonly TimeSpan WaitMax = TimeSpan.FromSeconds(5);

    /// <summary>A feed older than this is not served while the build that replaces it runs (within <see cref="WaitMax"/>).</summary>
    public static readonly TimeSpan FreshMax = TimeSpan.FromSeconds(2);

    /// <summary>How old a feed is still served while its rebuilds fail; past it the feed is unavailable.</summary>
    public static readonly TimeSpan StaleMax = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();

    // Guarded by `gate`: the build pending or the last one, when the last one started, and the programs
    // asked for by id (with when they were last asked for) that are past the first ProgramsMax.
    private Task building = Task.CompletedTask;
    private long? buildStartedAt;
    private readonly Dictionary<string, long> watched = [];

    private volatile Feed? latest;
    private volatile bool failing;
    private long builds;

    // Touched only by the one build under way.
    private readonly Dictionary<string, SalesCurve> curves = [];
    private string curvesMonth = "";

    /// <summary>How many feeds this gateway started to build: at most one per <see cref="RefreshPeriod"/>.</summary>
    public long Builds => Interlocked.Read(ref builds);

    /// <summary>
    /// The feed as UTF-8 JSON, for all programs or for one, from the last build (which this call may start
    /// without waiting for it); null when there is none to serve: the first build failed or is slow, the
    /// program's first build is slow, or rebuilds have failed for longer than <see cref="StaleMax"/>.
    /// </summary>
    public async Task<byte[]?> GetFeedAsync(string? programId, CancellationToken cancellationToken)
    {
        var waiting = Stopwatch.GetTimestamp();
        while (true)
        {
            var build = RefreshIfDue(wanted: false);
            var feed = latest;
            var left = WaitMax - Stopwatch.GetElapsedTime(waiting);
            if (feed is not null)
            {
                if (failing && Stopwatch.GetElapsedTime(feed.BuiltAt) > StaleMax)
                {
                    return null;
                }

                // After a quiet spell the last feed is old: wait for the build this call started (bounded; one
                // build serves every waiter, so waiting adds no load) rather than answer with figures long gone.
                if (!failing && !build.IsCompleted && Stopwatch.GetElapsedTime(feed.BuiltAt) > FreshMax && left > TimeSpan.Zero)
                {
                    await Task.WhenAny(build, Task.Delay(left, cancellationToken));
                    if (build.IsCompleted && !cancellationToken.IsCancellationRequested)
                    {
                        continue;
                    }
                }

                if (feed.For(programId) is { } answer)
                {
                    return answer;
                }

                // A program of the month past the first ProgramsMax: the next build includes it.
                Watch(programId!);
                build = RefreshIfDue(wanted: true);
            }
            else if (build.IsCompleted)
            {
                return null; // The first build failed less than a period ago.
            }

            // Only a gateway's first requests, or the first for a program past the first ProgramsMax, wait.
            if (left <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            await Task.WhenAny(build, Task.Delay(left, cancellationToken));
        }
    }

    /// <summary>
    /// The build pending, if any; else starts one when the last started a period ago or more, or, when
    /// <paramref name="wanted"/>, schedules one for then. Builds therefore start a period apart at least.
    /// </summary>
    private Task RefreshIfDue(bool wanted)
    {
        lock (gate)
        {
            var since = buildStartedAt is { } started ? Stopwatch.GetElapsedTime(started) : RefreshPeriod;
            if (!building.IsCompleted || (since < RefreshPeriod && !wanted))
            {
                return building;
            }

            // Neither the request's cancellation nor its trace: the build serves everyone who asks after it.
            var delay = since < RefreshPeriod ? RefreshPeriod - since : TimeSpan.Zero;
            using (ExecutionContext.SuppressFlow())
            {
                building = Task.Run(() => PublishAsync(delay), CancellationToken.None);
            }

            return building;
        }
    }

    private void Watch(string programId)
    {
        lock (gate)
        {
            watched[programId] = Stopwatch.GetTimestamp();
            if (watched.Count > WatchedMax)
            {
                watched.Remove(watched.MinBy(w => w.Value).Key);
            }
        }
    }

    private async Task PublishAsync(TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }

        List<string> asked;
        lock (gate)
        {
            buildStartedAt = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref builds);
            foreach (var stale in watched.Where(w => Stopwatch.GetElapsedTime(w.Value) > WatchedFor).ToList())
            {
                watched.Remove(stale.Key);
            }

            asked = [.. watched.Keys];
        }

        try
        {
            latest = await BuildAsync(asked);
            failing = false;
        }
#pragma warning disable CA1031 // A failed build must not escape: the last feed is served and a later request retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failing = true;
            logger.LogWarning(e, "The sales feed could not be built; the last one is served meanwhile.");
        }
    }

    private async Task<Feed> BuildAsync(IReadOnlyList<string> asked)
    {
        var now = clock.GetUtcNow();
        var month = ProgramMonth.MonthOf(now);
        var listed = await ledger.ReadProgramsAsync(month, ProgramsListedMax);
        var first = listed.Take(ProgramsMax).ToList();
        var built = first.Union(asked.Where(listed.Contains)).ToList();
        var snapshots = await Task.WhenAll(built.Select(program =>
            grains.GetCityMonth(new ProgramMonth(program, month)).GetSnapshotAsync()));
        var shown = snapshots.OfType<CityMonthSnapshot>().Where(s => s.Status != SaleStatus.Closed).ToList();

        if (curvesMonth != month || curves.Count > CurvesMax)
        {
            curves.Clear();
            curvesMonth = month;
        }

        var opened = shown.Where(s => s.Status != SaleStatus.Scheduled).Select(CurveOf).ToList();
        await CatchUpAsync(month, opened);
        var queues = await Task.WhenAll(shown.Select(s => grains.GetWaitingRoom(s.ProgramMonth).GetViewAsync()));
        var programs = shown.Select((s, i) => new SalesProgramBody(
            s.ProgramMonth.ProgramId, month, LedgerResults.ToBody(s),
            s.Status == SaleStatus.Scheduled ? null : curves[s.ProgramMonth.ProgramId].ToBody(now), ToBody(queues[i]))).ToList();
        var all = new SalesFeedBody(
            now.ToOffset(ProgramMonth.KoreaOffset), month, (int)RefreshPeriod.TotalMilliseconds, ProgramsMax,
            listed.Count > ProgramsMax, programs.Where(p => first.Contains(p.ProgramId)).ToList());
        return Serialize(all, programs, built, listed);
    }

    private static QueueBody ToBody(WaitingRoomView view) => new(
        view.Waiting, view.Admitted, Math.Round(view.AdmitPerSecond, 1),
        (int)Math.Ceiling(view.Waiting / Math.Max(view.AdmitPerSecond, 1)), view.PreQueues.Sum(p => p.Count));

    /// <summary>The whole feed, each built program's own, and the empty one for a program not shown.</summary>
    private Feed Serialize(SalesFeedBody all, IReadOnlyList<SalesProgramBody> programs, IReadOnlyList<string> built, IReadOnlyList<string> listed)
    {
        var options = json.Value.SerializerOptions;
        var byProgram = programs.ToDictionary(
            p => p.ProgramId, p => JsonSerializer.SerializeToUtf8Bytes(all with { More = false, Programs = [p] }, options));
        return new Feed(
            JsonSerializer.SerializeToUtf8Bytes(all, options), byProgram,
            JsonSerializer.SerializeToUtf8Bytes(all with { More = false, Programs = [] }, options),
            built.ToHashSet(), listed.ToHashSet(), Stopwatch.GetTimestamp());
    }

    /// <summary>The program's curve; a new one when its opening moved (the policy changed), read from the start.</summary>
    private (string ProgramId, SalesCurve Curve) CurveOf(CityMonthSnapshot snapshot)
    {
        var programId = snapshot.ProgramMonth.ProgramId;
        var opening = snapshot.Policy.EffectiveOpening(snapshot.ProgramMonth);
        if (!curves.TryGetValue(programId, out var curve) || curve.Opening != opening)
        {
            curves[programId] = curve = new SalesCurve(opening);
        }

        return (programId, curve);
    }

    /// <summary>Adds what the ledger gained since the last read; a long backlog is read over several refreshes.</summary>
    private async Task CatchUpAsync(string month, IReadOnlyList<(string ProgramId, SalesCurve Curve)> behind)
    {
        for (var read = 0; read < ReadsPerRefreshMax && behind.Count > 0; read++)
        {
            var minutes = await ledger.ReadMinutesAsync(
                month, behind.Select(b => (b.ProgramId, b.Curve.LastSequence)).ToList(), EntriesPerReadMax);
            foreach (var minute in minutes)
            {
                curves[minute.ProgramId].Add(minute.Minute, minute.Channel, minute.Amount, minute.LastSequence);
            }

            var full = minutes.GroupBy(m => m.ProgramId).Where(g => g.Sum(m => m.Entries) >= EntriesPerReadMax)
                .Select(g => g.Key).ToHashSet();
            behind = behind.Where(b => full.Contains(b.ProgramId)).ToList();
        }
    }

    /// <summary>One build's answers, serialized once for every request until the next build.</summary>
    private sealed record Feed(
        byte[] All, IReadOnlyDictionary<string, byte[]> ByProgram, byte[] None,
        IReadOnlySet<string> Built, IReadOnlySet<string> Listed, long BuiltAt)
    {
        /// <summary>
        /// The answer for a filter; for a program the month has (up to ProgramsListedMax) but this build did
        /// not read, null. A program without a head this month, or closed, is answered with no programs.
        /// </summary>
        public byte[]? For(string? programId) =>
            programId is null ? All
            : ByProgram.TryGetValue(programId, out var one) ? one
            : Built.Contains(programId) || !Listed.Contains(programId) ? None
            : null;
    }
}
