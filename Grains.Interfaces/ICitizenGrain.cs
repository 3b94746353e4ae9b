namespace Ledger.Grains.Interfaces;

/// <summary>
/// One grain per citizen, keyed by citizen id. It absorbs the citizen's double taps and retries (a key
/// being processed or recently answered is answered from memory) and tracks what the citizen has bought,
/// so the program-month grain can reject over-limit purchases without touching the database.
/// </summary>
[Alias("Ledger.ICitizenGrain")]
public interface ICitizenGrain : IGrainWithStringKey
{
    /// <summary>Buys; the same idempotency key always gets the first answer.</summary>
    [Alias("Purchase")]
    Task<PurchaseResult> PurchaseAsync(PurchaseRequest request);

    /// <summary>Cancels one of this citizen's purchases.</summary>
    [Alias("Cancel")]
    Task<CancelResult> CancelAsync(ProgramMonth programMonth, long purchaseSequence);

    /// <summary>The citizen's limit, usage and purchases in a program-month, or null when it has no policy.</summary>
    [Alias("GetMonth")]
    Task<CitizenMonth?> GetMonthAsync(ProgramMonth programMonth);
}
