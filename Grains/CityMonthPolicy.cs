using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Orleans.Storage;

namespace Ledger.Grains;

/// <summary>
/// The program-month grain's policy: the one in force and its versions, kept in the grain state, whose ETag
/// fences writes. A change is checked against what is sold, reserved and used before it is written.
/// </summary>
/// <param name="fence">Stops the grain: a write failed and another activation may own the state.</param>
internal sealed class CityMonthPolicy(
    ProgramMonth programMonth,
    IPersistentState<CityMonthState> state,
    LedgerStore store,
    TimeProvider clock,
    Action<string> fence)
{
    /// <summary>Policy versions kept per program-month (each change is one; a month sees a handful).</summary>
    public const int PolicyVersionsMax = 1_000;

    private const int TakeoverAttemptsMax = 5;

    private bool changing;

    /// <summary>The policy in force; null until one is set.</summary>
    public Policy? Current { get; private set; }

    public IReadOnlyList<PolicyVersion> History => state.State.PolicyHistory ?? [];

    /// <summary>
    /// The refusal a change gets before anything is read (invalid, or another change or a stop under way), or null
    /// when it may go on: then it is under way until <see cref="EndChange"/>.
    /// </summary>
    public SetPolicyResult? TryBegin(PolicyChange change, bool stopped)
    {
        var errors = change.Policy.Validate(programMonth);
        if (errors.Count > 0)
        {
            return new SetPolicyResult(
                SetPolicyOutcome.Invalid, Errors: errors.Select(e => new PolicyError(e.Field, e.Message)).ToArray());
        }

        if (changing || stopped)
        {
            return new SetPolicyResult(SetPolicyOutcome.Busy);
        }

        if (History.Count >= PolicyVersionsMax)
        {
            return new SetPolicyResult(SetPolicyOutcome.Invalid,
                Errors: [new PolicyError("policy", $"A program-month keeps at most {PolicyVersionsMax} policy versions.")]);
        }

        changing = true;
        return null;
    }

    public void EndChange() => changing = false;

    public SetPolicyResult? ConfirmRequired(PolicyChange change) =>
        !change.Confirmed && PolicyGuard.ReasonToConfirm(Current, change.Policy, programMonth, clock.GetUtcNow()) is { } reason
            ? new SetPolicyResult(SetPolicyOutcome.ConfirmRequired, Reason: reason)
            : null;

    /// <summary>
    /// Makes this activation the owner of the grain state: after the epoch is claimed, read the state and write
    /// it back. Any policy an older activation wrote before that is read here; any it tries to write after it
    /// fails its ETag check.
    /// </summary>
    public async Task TakeOverAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            await state.ReadStateAsync();
            Current = state.State.Policy;
            if (!state.RecordExists)
            {
                return;
            }

            try
            {
                await state.WriteStateAsync();
                return;
            }
            catch (InconsistentStateException) when (attempt < TakeoverAttemptsMax)
            {
                // An older activation wrote in between: read its policy and try again.
            }
        }
    }

    /// <summary>Checks a change against the sale (already holding purchases to both policies) and writes it.</summary>
    public async Task<SetPolicyResult> ChangeAsync(PolicyChange change, CityMonthSale sale)
    {
        var next = change.Policy;
        // Only the flusher reads a head in doubt again, between batches; the change is tried again later.
        if (sale.HeadInDoubt)
        {
            return new SetPolicyResult(SetPolicyOutcome.Busy);
        }

        if (sale.CheckIncomingCaps() is var (channel, taken))
        {
            return new SetPolicyResult(SetPolicyOutcome.CapBelowSold, Channel: channel, Sold: taken);
        }

        if (Current is not null && next.CitizenMonthlyLimit < Current.CitizenMonthlyLimit)
        {
            var usedMax = await store.ReadMaxCitizenUsedAsync(programMonth);
            if (next.CitizenMonthlyLimit < usedMax)
            {
                return new SetPolicyResult(SetPolicyOutcome.LimitBelowUsed, Sold: usedMax);
            }
        }

        // After the refusals that confirming cannot help; against the policy in force, which no other change can
        // replace while this one is under way.
        return ConfirmRequired(change) ?? await WriteAsync(change);
    }

    private async Task<SetPolicyResult> WriteAsync(PolicyChange change)
    {
        var previous = state.State;
        var history = History;
        state.State = previous with
        {
            Policy = change.Policy,
            PolicyHistory = [.. history, new PolicyVersion(history.Count + 1, change.Policy, change.SetBy, clock.GetUtcNow())],
        };
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException e)
        {
            state.State = previous;
            fence(e.Message);
            return new SetPolicyResult(SetPolicyOutcome.Busy);
        }
        catch (Exception e)
        {
            // The write may have landed: this activation no longer knows which policy is stored, so it stops,
            // and the next one reads it.
            state.State = previous;
            fence(e.Message);
            throw;
        }

        Current = change.Policy;
        return new SetPolicyResult(SetPolicyOutcome.Saved, change.Policy);
    }
}
