using System.Text.Json;

namespace Ledger.Client.Api.Contracts;

/// <summary>
/// A cohort as API.md writes it: <c>{"birthYears":"even"|"odd"|{"from":Y,"to":Y},"opensAt":"..."}</c>.
/// <see cref="BirthYears"/> is kept as JSON, since it is a string or an object.
/// </summary>
public sealed record CohortBody(JsonElement? BirthYears, DateTimeOffset? OpensAt);
