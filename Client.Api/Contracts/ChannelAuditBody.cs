using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>A channel's audit; the held amounts appear only on a sale that takes payment.</summary>
public sealed record ChannelAuditBody(
    long Cap, long SoldByCounter, long SoldByLedger,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? HeldByCounter = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? HeldByLedger = null);
