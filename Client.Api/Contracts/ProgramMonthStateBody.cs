using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>The live state of a program-month: the policy's fields, the status, and each channel's figures.</summary>
public sealed record ProgramMonthStateBody(
    DateTimeOffset OpensAt,
    int DiscountBps,
    long CitizenMonthlyLimit,
    long Unit,
    CapsBody Caps,
    string Status,
    IReadOnlyDictionary<string, ChannelStateBody> Channels,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CohortBody>? Cohorts = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PreQueueMinutes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Payment = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? HoldSeconds = null);
