using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ledger.Client.Api.Sales;

/// <summary>
/// The read model behind the public sales page: each program-month of the current month with its live
/// state (from its grain) and its curve since opening (from the ledger). However many people watch, a
/// gateway builds the feed at most once per <see cref="RefreshPeriod"/> for each filter, one build at a
/// time, and reads each program's ledger only past what it already summed.
/// </summary>
public sealed class SalesBoard(
    IGrainFactory grains,
    SalesLedger ledger,
    [FromKeyedServices(SalesBoard.ClockKey)] TimeProvider clock,
    IOptions<HttpJsonOptions> json)
{
    /// <summary>The ledger's clock, registered under the same key as the silo's (Ledger.Grains.LedgerClock).</summary>
    public const string ClockKey = "ledger";

    public const int ProgramsMax = 50;
    public const int FeedsCachedMax = 256;
    public const int CurvesMax = 1_000;
    public const int EntriesPerReadMax = 10_000;
    public const int ReadsPerRefreshMax = 4;
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim building = new(1, 1);
    private readonly ConcurrentDictionary<string, (byte[] Json, long BuiltAt)> feeds = new();

    // Touched only while holding `building`.
    private readonly Dictionary<string, SalesCurve> curves = [];
    private string curvesMonth = "";

    /// <summary>The feed as UTF-8 JSON, for all programs or for one, at most <see cref="RefreshPeriod"/> old.</summary>
    public async Task<byte[]> GetFeedAsync(string? programId, CancellationToken cancellationToken)
    {
        var key = programId ?? "";
        if (Fresh(key) is { } cached)
        {
            return cached;
        }

        await building.WaitAsync(cancellationToken);
        try
        {
            // Whoever held the lock before may just have built it.
            if (Fresh(key) is { } built)
            {
                return built;
            }

            var feed = JsonSerializer.SerializeToUtf8Bytes(await BuildAsync(programId), json.Value.SerializerOptions);
            if (feeds.Count >= FeedsCachedMax)
            {
                feeds.Clear();
            }

            feeds[key] = (feed, Stopwatch.GetTimestamp());
            return feed;
        }
        finally
        {
            building.Release();
        }
    }

    private byte[]? Fresh(string key) =>
        feeds.TryGetValue(key, out var feed) && Stopwatch.GetElapsedTime(feed.BuiltAt) < RefreshPeriod ? feed.Json : null;

    private async Task<SalesFeedBody> BuildAsync(string? programId)
    {
        var now = clock.GetUtcNow();
        var month = ProgramMonth.MonthOf(now);
        var programs = await ledger.ReadProgramsAsync(month, programId, ProgramsMax + 1);
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
}
