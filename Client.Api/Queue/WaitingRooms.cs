using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Queue;

/// <summary>
/// The waiting rooms this gateway uses, each reporting to its grain every <see cref="Step"/> while in use
/// (see <see cref="WaitingRoomTicker"/>).
/// </summary>
public sealed class WaitingRooms(IGrainFactory grains, ILogger<WaitingRooms> logger)
{
    /// <summary>Rooms kept at most; past this, the unused are dropped first.</summary>
    public const int RoomsMax = 4_096;

    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(200);

    /// <summary>A room unused this long stops reporting and is dropped.</summary>
    public static readonly TimeSpan UnusedFor = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<ProgramMonth, Room> rooms = new();
    private readonly string gateway = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public Room For(ProgramMonth programMonth) =>
        rooms.TryGetValue(programMonth, out var room) ? room : rooms.GetOrAdd(programMonth, Create);

    /// <summary>One step: every room in use reports; one that fails reports again next step.</summary>
    public async Task StepAsync()
    {
        foreach (var (key, room) in rooms)
        {
            if (Stopwatch.GetElapsedTime(room.UsedAt) >= UnusedFor)
            {
                rooms.TryRemove(new(key, room));
            }
        }

        await Task.WhenAll(rooms.Values.Select(async room =>
        {
            try
            {
                await room.ReportAsync();
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "The waiting room of {ProgramMonth} did not answer a report.", room.ProgramMonth.Key);
            }
        }));
    }

    private Room Create(ProgramMonth programMonth)
    {
        if (rooms.Count >= RoomsMax)
        {
            foreach (var unused in rooms.Values.OrderBy(r => r.UsedAt).Take(RoomsMax / 4))
            {
                rooms.TryRemove(unused.ProgramMonth, out _);
            }
        }

        return new Room(programMonth, grains, gateway);
    }
}
