namespace Ledger.Testing;

/// <summary>The promises the auditor checks; each finding names the one it breaks.</summary>
public enum Invariant
{
    /// <summary>Sequences run 1, 2, 3... without a gap or a repeat, and the head's next sequence follows the last.</summary>
    GaplessSequences,

    /// <summary>Sold per channel, by the entries, is within the cap.</summary>
    SoldWithinCap,

    /// <summary>The counters kept beside the entries (sold per channel, each citizen's usage) equal what the entries add up to.</summary>
    CountersMatchEntries,

    /// <summary>Each citizen's usage, by the entries, is within the monthly limit.</summary>
    UsageWithinLimit,

    /// <summary>A key buys at most once: a citizen's own key for that citizen, a teller's key across all citizens.</summary>
    KeyBuysOnce,

    /// <summary>A cancel names an earlier purchase of the same citizen, channel and amount, and a purchase is cancelled at most once.</summary>
    CancelsNamePurchasesOnce,

    /// <summary>Every purchase a client was told is confirmed is in the ledger with the figures told; none is lost.</summary>
    ConfirmedInLedger,

    /// <summary>A purchase a client was told is cancelled is cancelled in the ledger, and one never cancelled is not.</summary>
    CancelsAsTold,

    /// <summary>Every request got a final answer.</summary>
    EveryRequestAnswered,

    /// <summary>Every purchase in the ledger was finally answered Confirmed, with its sequence, to the buyer who made it.</summary>
    EveryPurchaseTold,

    /// <summary>A purchase a buyer was told was declined is a hold that ended without a payment: nothing was bought.</summary>
    DeclinedAsTold,

    /// <summary>Every hold ended, once, within its hold time and the minute the contract allows past it.</summary>
    HoldsResolvedInTime,

    /// <summary>What the provider withdrew from each payer less what it returned equals their confirmed, uncancelled purchases' prices.</summary>
    MoneyMatchesVouchers,

    /// <summary>No payer lost more to the provider than their holds' prices, each taken at most once, nor got more back than was taken.</summary>
    ChargedOnce,
}
