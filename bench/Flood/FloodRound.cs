namespace Ledger.Bench;

/// <summary>
/// One round of the flood run: <paramref name="Kind"/> <c>quiet</c> (the buyer alone), <c>flood</c> (the buyer
/// beside requests naming made-up program-months and purchases) or <c>control</c> (the same requests with ids the
/// gateway refuses at its edge, looking nothing up: what serving the flood's HTTP costs by itself), its pair (1, 2, ...), how long it ran, the buyer's
/// purchases (their times, and how many were not 201), the flood's requests (sent, skipped because too many were in
/// flight, answered by status, the rest failed without an answer), the resident memory of each watched process (the
/// gateway and silos of <c>./ledger bench</c>) at the round's end, in bytes, and the CPU seconds each of them and
/// PostgreSQL spent in the round (<see cref="ProcessTimes"/>).
/// </summary>
public sealed record FloodRound(
    string Kind,
    int Pair,
    double Seconds,
    TimeStats Buyer,
    long BuyerNotCreated,
    long FloodSent,
    long FloodSkipped,
    IReadOnlyDictionary<string, long> FloodAnswers,
    IReadOnlyDictionary<string, long> ResidentBytes,
    IReadOnlyDictionary<string, double> CpuSeconds)
{
    public const string Quiet = "quiet";

    public const string Flood = "flood";

    public const string Control = "control";
}
