using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains;

/// <summary>
/// The guard against operator error (API.md): a policy whose caps are all zero, or a change that cuts a cap by
/// more than half within an hour of the opening or while the sale is open, needs <c>"confirm":true</c>. One
/// city's sale showed "sold out" at its opening because an operator left the amount out.
/// </summary>
public static class PolicyGuard
{
    public static readonly TimeSpan NearOpening = TimeSpan.FromHours(1);

    /// <summary>Why the change needs confirming, or null when it does not.</summary>
    public static string? ReasonToConfirm(Policy? current, Policy next, ProgramMonth programMonth, DateTimeOffset now)
    {
        if (next.Caps.Mobile == 0 && next.Caps.Paper == 0)
        {
            return "Every cap is 0: nothing could be sold.";
        }

        if (current is null || now < current.FirstOpening(programMonth) - NearOpening || now >= programMonth.End)
        {
            return null;
        }

        foreach (var channel in Enum.GetValues<Channel>())
        {
            // More than half: what is left is less than half of what was.
            if (next.Caps[channel] * 2 < current.Caps[channel])
            {
                return $"The {channel.ToName()} cap falls from {current.Caps[channel]} to {next.Caps[channel]}, " +
                    "by more than half, within an hour of the opening or while the sale is open.";
            }
        }

        return null;
    }
}
