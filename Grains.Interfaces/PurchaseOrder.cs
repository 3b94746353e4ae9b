namespace Ledger.Grains.Interfaces;

/// <summary>
/// A purchase as the citizen grain hands it to the program-month grain.
/// </summary>
/// <param name="UsedAtLeast">
/// What the citizen grain knows the citizen has already bought this program-month. It is a lower bound
/// (the database holds the exact figure and re-checks it at commit), so it may only ever cause a
/// rejection that the database would also make.
/// </param>
/// <param name="UsageExact">
/// Whether <paramref name="UsedAtLeast"/> is the database's figure and the key is known not to have bought (the
/// citizen grain holds the history): a refusal judged with it is final, and the program-month keeps it as the
/// key's answer.
/// </param>
[GenerateSerializer, Immutable, Alias("Ledger.PurchaseOrder")]
public sealed record PurchaseOrder(
    [property: Id(0)] PurchaseRequest Request,
    [property: Id(1)] long UsedAtLeast,
    [property: Id(2)] bool UsageExact = false);
