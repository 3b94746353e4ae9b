using System.Text.Json.Serialization;

namespace Ledger.Client.Api.Contracts;

/// <summary>
/// A purchase. <c>status</c> is <c>confirmed</c>, <c>cancelled</c>, or for a sale that takes payment
/// <c>pending</c> or <c>voided</c> (with <c>reason</c>); <c>refund</c> (<c>pending</c> or <c>done</c>) shows a
/// paid price going back to the payer.
/// </summary>
public sealed record PurchaseBody(
    string PurchaseId,
    string ProgramId,
    string Month,
    string CitizenId,
    string Channel,
    long Amount,
    long Price,
    string Status,
    DateTimeOffset PurchasedAt,
    long Sequence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Refund = null);
