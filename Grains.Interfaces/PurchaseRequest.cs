using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>A citizen's request to buy <see cref="Amount"/> won of vouchers on one channel.</summary>
/// <param name="IdempotencyKey">
/// The caller's key: a retry with the same key never buys twice. A citizen's key is theirs; a teller's
/// key is the teller's, whichever citizen it is used for.
/// </param>
/// <param name="SoldBy">The teller who sells on the citizen's behalf; null when the citizen buys for themself.</param>
/// <param name="BirthYear">The citizen's birth year, from their token, for a policy's cohorts; null when unknown.</param>
[GenerateSerializer, Immutable, Alias("Ledger.PurchaseRequest")]
public sealed record PurchaseRequest(
    [property: Id(0)] ProgramMonth ProgramMonth,
    [property: Id(1)] string CitizenId,
    [property: Id(2)] string IdempotencyKey,
    [property: Id(3)] Channel Channel,
    [property: Id(4)] long Amount,
    [property: Id(5)] string? SoldBy = null,
    [property: Id(6)] int? BirthYear = null);
