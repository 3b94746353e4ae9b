namespace Ledger.Grains.Interfaces;

/// <summary>
/// The counters recomputed from the ledger. <see cref="Consistent"/> holds when every counter (sold per
/// channel, the next sequence) equals its recomputation, sequences have no gaps,
/// nothing exceeds its cap and no citizen exceeds the limit.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.AuditReport")]
public sealed record AuditReport(
    [property: Id(0)] bool Consistent,
    [property: Id(1)] ChannelAudit Mobile,
    [property: Id(2)] ChannelAudit Paper,
    [property: Id(3)] long CitizensOverLimit,
    [property: Id(5)] long Entries,
    [property: Id(6)] bool SequencesGapless);
