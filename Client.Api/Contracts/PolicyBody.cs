using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>
/// A program-month's policy as API.md writes it. Every field is nullable so that a missing one is reported
/// by name rather than read as zero.
/// </summary>
public sealed record PolicyBody(
    DateTimeOffset? OpensAt, int? DiscountBps, long? CitizenMonthlyLimit, long? Unit, CapsBody? Caps,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CohortBody>? Cohorts = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PreQueueMinutes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Payment = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? HoldSeconds = null);
