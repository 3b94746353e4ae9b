using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains;

/// <summary>The sale core's answers in the contract's terms.</summary>
public static class SaleAnswers
{
    public static PurchaseResult ToResult(this Answer answer, ProgramMonth programMonth, string citizenId) =>
        answer.Entry is { Sequence: { } sequence } entry
            ? new PurchaseResult(
                answer.Outcome,
                new Purchase(
                    PurchaseIds.Format(programMonth, sequence), programMonth, citizenId, entry.Channel, entry.Amount,
                    entry.Price, entry.Status, entry.At, sequence, entry.Reason),
                CitizenUsed: entry.CitizenUsed)
            : new PurchaseResult(
                answer.Outcome, Remaining: answer.Remaining, OpensAt: answer.OpensAt, CitizenUsed: answer.CitizenUsed,
                CitizenHasBought: answer.CitizenHasBought);
}
