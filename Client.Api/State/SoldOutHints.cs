using System.Collections.Concurrent;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Client.Api.State;

/// <summary>
/// Which channels of which program-months answered sold out within the last <see cref="For"/>. While a
/// channel is marked, the gateway first asks the program-month grain to refuse a purchase
/// (<see cref="ICityMonthGrain.RefuseAsync"/>), so that the crowd arriving after a sell-out is turned
/// away without a citizen grain being activated for each of them. A mark only chooses the route: the
/// program-month grain decides, so a channel that a cancel or a new cap reopened sells again at once (its
/// purchases take one call more until the mark lapses).
/// </summary>
public sealed class SoldOutHints(TimeProvider clock)
{
    /// <summary>How long a sold-out answer marks its channel; each such answer marks it again.</summary>
    public static readonly TimeSpan For = TimeSpan.FromSeconds(1);

    /// <summary>Marks kept at most; past this they are all dropped (each costs only a missed shortcut).</summary>
    public const int MarksMax = 4_096;

    private readonly ConcurrentDictionary<(ProgramMonth, Channel), long> marks = new();

    /// <summary>Whether the channel answered sold out lately.</summary>
    public bool IsMarked(ProgramMonth programMonth, Channel channel) =>
        marks.TryGetValue((programMonth, channel), out var at) && clock.GetElapsedTime(at) < For;

    /// <summary>Marks the channel when the answer to a purchase of it was sold out.</summary>
    public void Observe(ProgramMonth programMonth, Channel channel, PurchaseResult result)
    {
        if (result.Outcome != PurchaseOutcome.SoldOut)
        {
            return;
        }

        if (marks.Count >= MarksMax)
        {
            marks.Clear();
        }

        marks[(programMonth, channel)] = clock.GetTimestamp();
    }
}
