namespace Ledger.Grains.Interfaces;

[GenerateSerializer, Alias("Ledger.SetPolicyOutcome")]
public enum SetPolicyOutcome
{
    /// <summary>The policy is stored and in force.</summary>
    Saved = 0,

    /// <summary>The policy breaks a rule; <see cref="SetPolicyResult.Errors"/> names the fields.</summary>
    Invalid = 1,

    /// <summary>A new cap is below what is already sold or being sold on that channel.</summary>
    CapBelowSold = 2,

    /// <summary>The new monthly limit is below what a citizen has already bought.</summary>
    LimitBelowUsed = 3,

    /// <summary>Another policy change is being saved; try again.</summary>
    Busy = 4,

    /// <summary>The guard asks for confirmation; <see cref="SetPolicyResult.Reason"/> says why. Nothing changed.</summary>
    ConfirmRequired = 5,
}
