using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;

namespace Ledger.Grains;

/// <summary>What the program-month grain reports of its sale: the snapshot, the remaining caps, the audit.</summary>
internal static class CityMonthReads
{
    public static CityMonthSnapshot? Snapshot(ProgramMonth programMonth, Policy? policy, CityMonthSale? sale, DateTimeOffset now)
    {
        if (policy is null || sale is null)
        {
            return null;
        }

        var status = now >= programMonth.End ? SaleStatus.Closed
            : now < policy.FirstOpening(programMonth) ? SaleStatus.Scheduled
            : Enum.GetValues<Channel>().All(c => sale.Remaining(c) == 0) ? SaleStatus.SoldOut
            : SaleStatus.Open;
        return new CityMonthSnapshot(
            programMonth, policy, status, ChannelStateOf(Channel.Mobile), ChannelStateOf(Channel.Paper),
            sale.Head.NextSequence - 1, sale.Queued);

        ChannelState ChannelStateOf(Channel channel)
        {
            var remaining = sale.Remaining(channel);
            var channelStatus = status is SaleStatus.Scheduled or SaleStatus.Closed
                ? status
                : remaining == 0 ? SaleStatus.SoldOut : SaleStatus.Open;
            return new ChannelState(policy.Caps[channel], sale.Head.Sold[channel], remaining, channelStatus);
        }
    }

    /// <summary>What each channel has left, for the metrics; null without a policy.</summary>
    public static ChannelAmounts? Remaining(CityMonthSale? sale) =>
        sale?.Rules is null ? null : new ChannelAmounts(sale.Remaining(Channel.Mobile), sale.Remaining(Channel.Paper));

    public static AuditReport Audit(Policy policy, AuditFigures figures)
    {
        var mobile = new ChannelAudit(
            policy.Caps.Mobile, figures.HeadSoldMobile, figures.LedgerSoldMobile, figures.HeadHeldMobile, figures.LedgerHeldMobile);
        var paper = new ChannelAudit(
            policy.Caps.Paper, figures.HeadSoldPaper, figures.LedgerSoldPaper, figures.HeadHeldPaper, figures.LedgerHeldPaper);
        var gapless = figures.Entries == figures.MaxSequence && figures.HeadNextSequence == figures.MaxSequence + 1;
        var consistent = gapless && mobile.Consistent && paper.Consistent && figures.CitizensOverLimit == 0
            && figures.OpenHoldsAstray == 0;
        return new AuditReport(consistent, mobile, paper, figures.CitizensOverLimit, figures.Entries, gapless);
    }
}
