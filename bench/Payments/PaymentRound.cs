namespace Ledger.Bench;

/// <summary>
/// One round of the payment comparison: the one-phase purchase or the two-phase one, on a sale of its own, with the
/// purchases answered pending before they settled (two-phase only), what the silo's meters said while the load ran,
/// and, for two-phase, the payment side's check.
/// </summary>
public sealed record PaymentRound(
    int Pair, string Kind, bool IsWarmUp, string ProgramMonth, long PendingAnswers, RunReport Run, SiloFigures Silo, PaymentCheck? Payments)
{
    public const string OnePhase = "one-phase";
    public const string TwoPhase = "two-phase";

    public double ConfirmedPerSecond => Run.ConfirmedPerSecond;

    /// <summary>The share of the load's time the busiest program-month's flusher spent committing.</summary>
    public double FlusherBusyShare => Silo.FlusherBusySeconds / Run.ElapsedSeconds;
}
