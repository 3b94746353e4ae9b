using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>
/// A PUT's body: the policy, and <c>"confirm":true</c> for a change the guard would otherwise refuse (every cap
/// zero, or a cap cut by more than half within an hour of the opening or while the sale is open).
/// </summary>
public sealed record PolicyChangeBody(
    DateTimeOffset? OpensAt, int? DiscountBps, long? CitizenMonthlyLimit, long? Unit, CapsBody? Caps, bool? Confirm,
    IReadOnlyList<CohortBody>? Cohorts = null, int? PreQueueMinutes = null, string? Payment = null, int? HoldSeconds = null)
{
    [JsonIgnore]
    public PolicyBody Policy => new(OpensAt, DiscountBps, CitizenMonthlyLimit, Unit, Caps, Cohorts, PreQueueMinutes, Payment, HoldSeconds);
}
