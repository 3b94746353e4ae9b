namespace Ledger.Grains.Interfaces;

/// <summary>A citizen's request to buy <see cref="Amount"/> won of vouchers on one channel.</summary>
/// <param name="IdempotencyKey">The client's key: a retry with the same key never buys twice.</param>
[GenerateSerializer, Immutable, Alias("Ledger.PurchaseRequest")]
public sealed record PurchaseRequest(
    [property: Id(0)] ProgramMonth ProgramMonth,
    [property: Id(1)] string CitizenId,
    [property: Id(2)] string IdempotencyKey,
    [property: Id(3)] Channel Channel,
    [property: Id(4)] long Amount);
