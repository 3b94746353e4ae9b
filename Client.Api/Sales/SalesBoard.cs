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
/// whatever they filter on, a gateway builds one feed of all programs at most once per
/// <see cref="RefreshPeriod"/>, in the background, and answers every request from the last one built: a
/// filter by program is a lookup in it, never a build of its own. Each program's ledger is read only past
/// what was already summed.
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
    public const int CurvesMax = 1_000;
    public const int EntriesPerReadMax = 10_000;
    public const int ReadsPerRefreshMax = 4;
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(1);

    /// <summary>The longest a request waits for the gateway's first feed; once there is one, none waits.</summary>
    public static readonly TimeSpan FirstBuildWaitMax = TimeSpan.FromSeconds(5);

    /// <summary>How old a feed is still served while its rebuilds fail; past it the feed is unavailable.</summary>
    public static readonly TimeSpan StaleMax = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();

    // Guarded by `gate`: the build under way or the last one, and when it started.
    private Task building = Task.CompletedTask;
    private long? buildStartedAt;

    private volatile Feed? latest;
    private volatile bool failing;
    private long builds;

    // Touched only by the one build under way.
    private readonly Dictionary<string, SalesCurve> curves = [];
    private string curvesMonth = "";

    /// <summary>How many feeds this gateway started to build: at most one per <see cref="RefreshPeriod"/>.</summary>
    public long Builds => Interlocked.Read(ref builds);

    /// <summary>
    /// The feed as UTF-8 JSON, for all programs or for one, from the last build (which this call may start,
    /// without waiting for it); null when there is none to serve: the first build failed or is slow, or
    /// rebuilds have failed for longer than <see cref="StaleMax"/>.
    /// </summary>
    public async Task<byte[]?> GetFeedAsync(string? programId, CancellationToken cancellationToken)
    {
        var build = RefreshIfDue();
        if (latest is null)
        {
            // Only a gateway's first requests wait, and they all wait on the same build.
            await Task.WhenAny(build, Task.Delay(FirstBuildWaitMax, cancellationToken));
        }

        return latest is { } feed && !(failing && Stopwatch.GetElapsedTime(feed.BuiltAt) > StaleMax) ? feed.For(programId) : null;
    }

    /// <summary>Starts a build unless one is under way or the last started less than a period ago.</summary>
    private Task RefreshIfDue()
    {
        lock (gate)
        {
            if (!building.IsCompleted || (buildStartedAt is { } started && Stopwatch.GetElapsedTime(started) < RefreshPeriod))
            {
                return building;
            }

            buildStartedAt = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref builds);
            // Not the request's cancellation: the build serves everyone who asks after it, too.
            building = Task.Run(PublishAsync, CancellationToken.None);
            return building;
        }
    }

    private async Task PublishAsync()
    {
        try
        {
            var body = await BuildAsync();
            latest = Serialize(body);
            failing = false;
        }
#pragma warning disable CA1031 // A failed build must not escape: the last feed is served and the next request retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failing = true;
            logger.LogWarning(e, "The sales feed could not be built; the last one is served meanwhile.");
        }
    }

    /// <summary>The whole feed, each program's own, and the empty one answered for a program not in it.</summary>
    private Feed Serialize(SalesFeedBody all)
    {
        var options = json.Value.SerializerOptions;
        // A program not in the feed may still exist past the first ProgramsMax; the feed says so when there are more.
        var byProgram = all.Programs.ToDictionary(
            p => p.ProgramId, p => JsonSerializer.SerializeToUtf8Bytes(all with { More = false, Programs = [p] }, options));
        return new Feed(
            JsonSerializer.SerializeToUtf8Bytes(all, options), byProgram,
            JsonSerializer.SerializeToUtf8Bytes(all with { Programs = [] }, options), Stopwatch.GetTimestamp());
    }

    private async Task<SalesFeedBody> BuildAsync()
    {
        var now = clock.GetUtcNow();
        var month = ProgramMonth.MonthOf(now);
        var programs = await ledger.ReadProgramsAsync(month, ProgramsMax + 1);
        var snapshots = await Task.WhenAll(programs.Take(ProgramsMax).Select(program =>
            grains.GetCityMonth(new ProgramMonth(program, month)).GetSnapshotAsync()));
        var shown = snapshots.OfType<CityMonthSnapshot>().Where(s => s.Status != SaleStatus.Closed).ToList();

        if (curvesMonth != month || curves.Count > CurvesMax)
        {
            curves.Clear();
            curvesMonth = month;
        }

        var opened = shown.Where(s => s.Status != SaleStatus.Scheduled).Select(CurveOf).ToList();
        await CatchUpAsync(month, opened);
        return new SalesFeedBody(
            now.ToOffset(ProgramMonth.KoreaOffset), month, (int)RefreshPeriod.TotalMilliseconds, ProgramsMax,
            programs.Count > ProgramsMax,
            shown.Select(s => new SalesProgramBody(
                s.ProgramMonth.ProgramId, month, LedgerResults.ToBody(s),
                s.Status == SaleStatus.Scheduled ? null : curves[s.ProgramMonth.ProgramId].ToBody(now))).ToList());
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
    private sealed record Feed(byte[] All, IReadOnlyDictionary<string, byte[]> ByProgram, byte[] Unknown, long BuiltAt)
    {
        public byte[] For(string? programId) =>
            programId is null ? All : ByProgram.GetValueOrDefault(programId, Unknown);
    }
}
