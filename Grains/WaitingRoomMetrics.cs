using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ledger.Grains.Interfaces;

namespace Ledger.Grains;

/// <summary>
/// The waiting rooms on this silo, on the <see cref="LedgerMetrics.Name"/> meter: people waiting behind the
/// frontier, the admission rate, and people in pre-queues, per program-month. The gateways measure the wait.
/// </summary>
public static class WaitingRoomMetrics
{
    private static readonly Meter Meter = new(LedgerMetrics.Name);
    private static readonly ConcurrentDictionary<object, Tracked> Rooms = new();

    static WaitingRoomMetrics()
    {
        Meter.CreateObservableGauge(
            "ledger.waiting_room.waiting", () => Observe(t => t.Waiting()), unit: "{ticket}",
            description: "Live tickets not yet admitted, per program-month.");
        Meter.CreateObservableGauge(
            "ledger.waiting_room.admission_rate", () => Observe(t => t.AdmitPerSecond()), unit: "{ticket}/s",
            description: "Tickets admitted per second while people wait (adapted to what the sale takes), per program-month.");
        Meter.CreateObservableGauge(
            "ledger.waiting_room.pre_queued", () => Observe(t => t.PreQueued()), unit: "{ticket}",
            description: "Buyers in pre-queues not yet placed, per program-month.");
    }

    /// <summary>Reports a room until <see cref="Untrack"/>; the functions read fields replaced whole (see LedgerMetrics.Track).</summary>
    public static void Track(object room, ProgramMonth programMonth, Func<int> waiting, Func<double> admitPerSecond, Func<int> preQueued) =>
        Rooms[room] = new Tracked(programMonth, waiting, admitPerSecond, preQueued);

    public static void Untrack(object room) => Rooms.TryRemove(room, out _);

    private static IEnumerable<Measurement<double>> Observe(Func<Tracked, double> read) =>
        Rooms.Values.Select(t => new Measurement<double>(read(t), [new("program", t.ProgramMonth.ProgramId), new("month", t.ProgramMonth.Month)]));

    private sealed record Tracked(ProgramMonth ProgramMonth, Func<int> Waiting, Func<double> AdmitPerSecond, Func<int> PreQueued);
}
