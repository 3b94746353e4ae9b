using System.Security.Cryptography;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Grains.WaitingRoom;
using Ledger.Sale;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Grains;

/// <summary>
/// The waiting room of one program-month: a shell around its <see cref="WaitingLine"/> and
/// <see cref="AdmissionRate"/> that stores what must outlive a silo before anyone is told it
/// (db/0004_waiting_room.sql). Not reentrant: claims are numbered in the order their calls run. The ledger's
/// clock says when a place expires and when a sale opens; the pace of admission is real time.
/// </summary>
[GrainType(LedgerGrains.WaitingRoomGrainType)]
public sealed partial class WaitingRoomGrain(
    WaitingRoomStore store,
    IGrainFactory grains,
    [FromKeyedServices(LedgerClock.Key)] TimeProvider clock,
    ILogger<WaitingRoomGrain> logger) : Grain, IWaitingRoomGrain
{
    /// <summary>Numbers reserved in the store at a time: a restarted room numbers after all of them.</summary>
    public const int ReserveBlock = 4_096;

    /// <summary>How often the frontier is stored when it moved.</summary>
    public static readonly TimeSpan SaveEvery = TimeSpan.FromSeconds(1);

    /// <summary>How often the program-month's remaining cap is read.</summary>
    public static readonly TimeSpan SaleReadEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the count of people waiting is redone (a scan of the line), whatever calls come between.</summary>
    public static readonly TimeSpan CountEvery = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(10);

    /// <summary>How often a room with people waiting logs where it stands.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(1);

    private ProgramMonth programMonth;
    private WaitingLine line = new();
    private AdmissionRate rate = null!;
    private long reserved;
    private long savedAdmitted;
    private readonly TimeProvider pace = TimeProvider.System;
    private DateTimeOffset savedAt;
    private DateTimeOffset admittedAt;
    private DateTimeOffset sweptAt;
    private ChannelAmounts? remaining;
    private DateTimeOffset saleReadAt;
    private int waiting;
    private int preQueued;
    private DateTimeOffset countedAt;
    private DateTimeOffset loggedAt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        programMonth = ProgramMonth.ParseKey(this.GetPrimaryKeyString());
        var record = await store.LoadAsync(programMonth);
        line = WaitingLine.Restore(record, clock.GetUtcNow());
        var paced = pace.GetUtcNow();
        (reserved, savedAdmitted, savedAt, admittedAt, sweptAt) = (record.Reserved, record.Admitted, paced, paced, paced);
        rate = new AdmissionRate(paced);
        WaitingRoomMetrics.Track(this, programMonth, () => waiting, () => rate.PerSecond, () => preQueued);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        WaitingRoomMetrics.Untrack(this);
        return Task.CompletedTask;
    }

    public async Task<TicketGrant[]> TakeAsync(TicketClaim[] claims)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(claims.Length, TicketClaim.BatchMax, nameof(claims));
        var now = clock.GetUtcNow();
        await PlaceDueAsync(now);
        var grants = claims.Select(c => line.Take(c, now, Draw) ?? new TicketGrant(null)).ToArray();
        await StoreAsync();
        return grants;
    }

    public async Task<WaitingRoomView> ReportAsync(WaitingRoomReport report)
    {
        var now = clock.GetUtcNow();
        await PlaceDueAsync(now);
        line.RaiseAdmitted(report.AdmittedSeen);
        foreach (var seen in report.Seen)
        {
            line.See(seen, now);
        }

        var paced = pace.GetUtcNow();
        rate.Observe(report, paced);
        await ReadSaleAsync(paced);
        rate.Adjust(paced, Count(now) > 0);
        line.Admit(rate.PerSecond * (paced - admittedAt).TotalSeconds, rate.PerSecond, now);
        admittedAt = paced;
        if (paced - sweptAt > SweepEvery)
        {
            line.Sweep(now);
            sweptAt = paced;
        }

        await StoreAsync();
        var view = View(now);
        preQueued = view.PreQueues.Sum(p => p.Count);
        if (view.Waiting > 0 && paced - loggedAt >= LogEvery)
        {
            LogStanding(programMonth.Key, view.Waiting, line.Admitted, line.Issued, rate.PerSecond, rate.Answered, rate.Overloaded);
            loggedAt = paced;
        }

        return view;
    }

    public Task<WaitingRoomView> GetViewAsync() => Task.FromResult(View(clock.GetUtcNow()));

    public async Task<PreQueueOrder?> GetPreQueueOrderAsync(DateTimeOffset opening)
    {
        await PlaceDueAsync(clock.GetUtcNow());
        return line.OrderOf(opening);
    }

    /// <summary>Places every pre-queue whose opening has passed, each stored before any of its numbers is told.</summary>
    private async Task PlaceDueAsync(DateTimeOffset now)
    {
        foreach (var opening in line.DuePreQueues(now))
        {
            await StoreMembersAsync();
            var (first, count) = line.NextPlacement(opening);
            var cover = Math.Max(reserved, first + count - 1 + ReserveBlock);
            first = await store.PlaceAsync(programMonth, opening, first, cover, line.Admitted);
            reserved = cover;
            line.Place(opening, first, now);
        }
    }

    /// <summary>Stores new pre-queue members, a reservation covering every number handed out, and the frontier now and then.</summary>
    private async Task StoreAsync()
    {
        var now = pace.GetUtcNow();
        await StoreMembersAsync();
        if (line.Issued > reserved || (line.Admitted > savedAdmitted && now - savedAt >= SaveEvery))
        {
            var cover = line.Issued > reserved ? line.Issued + ReserveBlock : reserved;
            await store.SaveAsync(programMonth, cover, line.Admitted);
            (reserved, savedAdmitted, savedAt) = (cover, line.Admitted, now);
        }
    }

    private async Task StoreMembersAsync()
    {
        if (line.TakeNewMembers() is { Count: > 0 } members)
        {
            await store.AddPreQueueAsync(programMonth, members);
        }
    }

    private async Task ReadSaleAsync(DateTimeOffset paced)
    {
        if (paced - saleReadAt < SaleReadEvery)
        {
            return;
        }

        var snapshot = await grains.GetCityMonth(programMonth).GetSnapshotAsync();
        remaining = snapshot is null ? null : new ChannelAmounts(snapshot.Mobile.Remaining, snapshot.Paper.Remaining);
        rate.ObservePending(snapshot?.Pending ?? 0);
        saleReadAt = paced;
    }

    private WaitingRoomView View(DateTimeOffset now) =>
        new(line.Issued, line.Admitted, Count(now), rate.PerSecond, remaining, line.WaitingPreQueues(), now);

    private int Count(DateTimeOffset now)
    {
        if (pace.GetUtcNow() - countedAt >= CountEvery)
        {
            (waiting, countedAt) = (line.CountWaiting(now), pace.GetUtcNow());
        }

        return waiting;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Waiting room {Key}: {Waiting} waiting; admitted up to {Admitted} of {Issued} at {Rate:F0}/s (answered {Answered:F0}/s, overloaded {Overloaded})")]
    private partial void LogStanding(string key, int waiting, long admitted, long issued, double rate, double answered, bool overloaded);

    // Uniform over the non-negative longs: the order of a pre-queue owes nothing to when anyone came.
    private static long Draw() => RandomNumberGenerator.GetInt32(int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue);
}
