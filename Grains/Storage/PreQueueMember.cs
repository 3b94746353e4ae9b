namespace Ledger.Grains.Storage;

/// <summary>A citizen in the pre-queue of an opening, with the random draw that orders them there.</summary>
public sealed record PreQueueMember(DateTimeOffset Opening, string CitizenId, long Draw);
