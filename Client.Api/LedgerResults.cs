using System.Text.Json;
using System.Globalization;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace Ledger.Client.Api;

/// <summary>
/// The one place that turns what the grains answer into status codes and RFC 9457 problem details.
/// Business rejections are 409 with a short <c>code</c> and the figures behind it.
/// </summary>
public static class LedgerResults
{
    /// <summary>Seconds a client is asked to wait before retrying a 503.</summary>
    public const int RetryAfterSeconds = LedgerProblems.RetryAfterSeconds;

    /// <summary>
    /// The answer to a purchase, counted in the metrics unless it answers the readiness probe: 201 or 202 with the
    /// purchase, 400, a problem (402, 404, 409, 422), or 429 queued and 503 with their headers.
    /// </summary>
    public static PurchaseAnswer Purchase(PurchaseResult result, bool counted = true)
    {
        if (counted)
        {
            GatewayMetrics.Count(result.Outcome);
        }

        return PurchaseAnswer(result);
    }

    private static PurchaseAnswer PurchaseAnswer(PurchaseResult result) => result.Outcome switch
    {
        PurchaseOutcome.Confirmed => TypedResults.Created($"/purchases/{result.Purchase!.PurchaseId}", ToBody(result.Purchase)),
        PurchaseOutcome.Pending => TypedResults.Accepted($"/purchases/{result.Purchase!.PurchaseId}", ToBody(result.Purchase)),
        PurchaseOutcome.PaymentDeclined => Problem(
            StatusCodes.Status402PaymentRequired, "payment-declined", "Payment declined",
            "The payment provider did not take the price; nothing was bought.",
            new() { ["reason"] = result.Purchase?.Reason, ["purchaseId"] = result.Purchase?.PurchaseId }),
        PurchaseOutcome.NotOpen => Rejection("not-open", "The sale has not opened yet.",
            new() { ["opensAt"] = result.OpensAt!.Value.ToOffset(ProgramMonth.KoreaOffset) }),
        PurchaseOutcome.Closed => Rejection("closed", "The sales month has ended."),
        PurchaseOutcome.LimitExceeded => Rejection("limit-exceeded", "The purchase would pass the citizen's monthly limit.",
            new() { ["remaining"] = result.Remaining }),
        PurchaseOutcome.SoldOut => Rejection("sold-out", "The channel's cap would be passed.",
            new() { ["remaining"] = result.Remaining }),
        PurchaseOutcome.InvalidAmount => Invalid("amount", "The amount must be a positive whole multiple of the sale unit."),
        PurchaseOutcome.IdempotencyConflict => Problem(
            StatusCodes.Status422UnprocessableEntity, "idempotency-conflict", "Idempotency key reused",
            "This Idempotency-Key was used with another request body."),
        PurchaseOutcome.NotFound => NotFound("No policy is set for this program-month."),
        PurchaseOutcome.Busy => Unavailable("Too many purchases are waiting; nothing was bought."),
        PurchaseOutcome.PreQueue => Rejection("not-open", "The sale has not opened yet.",
            new() { ["opensAt"] = result.OpensAt!.Value.ToOffset(ProgramMonth.KoreaOffset) }),
        _ => throw new InvalidOperationException($"Unknown purchase outcome {result.Outcome}."),
    };

    public static Results<Ok<PurchaseBody>, ProblemHttpResult, WithHeaders> Cancel(CancelResult result) => result.Outcome switch
    {
        CancelOutcome.Cancelled => TypedResults.Ok(ToBody(result.Purchase!)),
        CancelOutcome.WindowPassed => Rejection("cancel-window-passed", "Purchases can be cancelled within 7 days."),
        CancelOutcome.NotFound => NotFound("No such purchase."),
        CancelOutcome.Busy => Unavailable("Too many requests are waiting; nothing was cancelled."),
        CancelOutcome.PaymentPending => Rejection("payment-pending", "The purchase's payment is still pending; nothing was cancelled."),
        CancelOutcome.Voided => Rejection("voided", "The purchase was voided: nothing was bought, so nothing was cancelled."),
        _ => throw new InvalidOperationException($"Unknown cancel outcome {result.Outcome}."),
    };

    public static Results<Ok<PolicyBody>, ValidationProblem, ProblemHttpResult, WithHeaders> SetPolicy(SetPolicyResult result) =>
        result.Outcome switch
        {
            SetPolicyOutcome.Saved => TypedResults.Ok(ToBody(result.Policy!)),
            SetPolicyOutcome.Invalid => TypedResults.ValidationProblem(
                result.Errors!.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray())),
            SetPolicyOutcome.CapBelowSold => Rejection("cap-below-sold", "A cap cannot go below what is sold.",
                new() { ["channel"] = result.Channel!.Value.ToName(), ["sold"] = result.Sold }),
            SetPolicyOutcome.LimitBelowUsed => Rejection("limit-below-used", "The limit cannot go below what a citizen has bought.",
                new() { ["used"] = result.Sold }),
            SetPolicyOutcome.Busy => Unavailable("Another policy change is being saved."),
            SetPolicyOutcome.ConfirmRequired => Rejection("confirm-required", $"{result.Reason} Send it again with \"confirm\":true if it is meant."),
            _ => throw new InvalidOperationException($"Unknown policy outcome {result.Outcome}."),
        };

    public static PurchaseBody ToBody(Purchase purchase) => new(
        purchase.PurchaseId, purchase.ProgramMonth.ProgramId, purchase.ProgramMonth.Month, purchase.CitizenId,
        purchase.Channel.ToName(), purchase.Amount, purchase.Price,
        StatusName(purchase.Status), purchase.PurchasedAt.ToOffset(ProgramMonth.KoreaOffset), purchase.Sequence,
        purchase.Reason, purchase.Refund is { } refund ? RefundName(refund) : null);

    public static PolicyBody ToBody(Policy policy) => new(
        policy.OpensAt, policy.DiscountBps, policy.CitizenMonthlyLimit, policy.Unit,
        new CapsBody(policy.Caps.Mobile, policy.Caps.Paper), CohortBodies(policy), PreQueueMinutesOf(policy),
        PaymentOf(policy), HoldSecondsOf(policy));

    public static ReconciliationBody ToBody(ReconciliationReport report) => new(
        report.Consistent, report.LedgerNet, report.ProviderNet, report.Pending,
        report.Mismatches.Select(m => new ReconciliationMismatchBody(m.PurchaseId, m.Ledger, m.Provider)).ToArray());

    internal static string RefundName(RefundState refund) => refund switch
    {
        RefundState.Pending => "pending",
        RefundState.Done => "done",
        _ => throw new ArgumentOutOfRangeException(nameof(refund), refund, "Unknown refund state."),
    };

    internal static string StatusName(PurchaseStatus status) => status switch
    {
        PurchaseStatus.Confirmed => "confirmed",
        PurchaseStatus.Cancelled => "cancelled",
        PurchaseStatus.Pending => "pending",
        PurchaseStatus.Voided => "voided",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown purchase status."),
    };

    // Shown only for a sale that takes payment, so a policy without one reads as it always did.
    private static string? PaymentOf(Policy policy) => policy.Payment == PaymentMethod.Account ? "account" : null;

    private static int? HoldSecondsOf(Policy policy) => policy.Payment == PaymentMethod.Account ? policy.HoldSeconds : null;

    // Shown only when set, so a policy without a pre-queue reads as it always did.
    private static int? PreQueueMinutesOf(Policy policy) => policy.PreQueueMinutes > 0 ? policy.PreQueueMinutes : null;

    private static CohortBody[]? CohortBodies(Policy policy) =>
        policy.Cohorts?.Select(c => new CohortBody(ToJson(c.BirthYears), c.OpensAt)).ToArray();

    private static JsonElement ToJson(BirthYears years) => years.Parity switch
    {
        BirthYearParity.Even => JsonSerializer.SerializeToElement("even"),
        BirthYearParity.Odd => JsonSerializer.SerializeToElement("odd"),
        _ => JsonSerializer.SerializeToElement(new Dictionary<string, int?>
        {
            ["from"] = years.From,
            ["to"] = years.To,
        }.Where(b => b.Value is not null).ToDictionary()),
    };

    public static ProgramMonthStateBody ToBody(CityMonthSnapshot snapshot) => new(
        snapshot.Policy.OpensAt, snapshot.Policy.DiscountBps, snapshot.Policy.CitizenMonthlyLimit, snapshot.Policy.Unit,
        new CapsBody(snapshot.Policy.Caps.Mobile, snapshot.Policy.Caps.Paper), StatusName(snapshot.Status),
        new Dictionary<string, ChannelStateBody>
        {
            [ChannelNames.Mobile] = ToBody(snapshot.Mobile),
            [ChannelNames.Paper] = ToBody(snapshot.Paper),
        },
        CohortBodies(snapshot.Policy), PreQueueMinutesOf(snapshot.Policy), PaymentOf(snapshot.Policy), HoldSecondsOf(snapshot.Policy));

    public static LedgerPageBody ToBody(LedgerPage page) => new(
        page.Entries.Select(e => new LedgerEntryBody(
            e.Sequence, KindName(e.Kind), e.PurchaseId, e.CitizenId,
            e.Channel.ToName(), e.Amount, e.Price, e.At.ToOffset(ProgramMonth.KoreaOffset))).ToArray(),
        page.Next);

    internal static string KindName(LedgerEntryKind kind) => kind switch
    {
        LedgerEntryKind.Purchase => "purchase",
        LedgerEntryKind.Cancel => "cancel",
        LedgerEntryKind.Hold => "hold",
        LedgerEntryKind.Post => "post",
        LedgerEntryKind.Void => "void",
        LedgerEntryKind.Expire => "expire",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown entry kind."),
    };

    public static AuditBody ToBody(AuditReport audit) => new(
        audit.Consistent,
        new Dictionary<string, ChannelAuditBody>
        {
            [ChannelNames.Mobile] = ToBody(audit.Mobile),
            [ChannelNames.Paper] = ToBody(audit.Paper),
        },
        audit.CitizensOverLimit,
        audit.Entries);

    // Held amounts only where a hold ever was, so an audit without payment reads as it always did.
    private static ChannelAuditBody ToBody(ChannelAudit channel) =>
        channel is { HeldByCounter: 0, HeldByLedger: 0 }
            ? new(channel.Cap, channel.SoldByCounter, channel.SoldByLedger)
            : new(channel.Cap, channel.SoldByCounter, channel.SoldByLedger, channel.HeldByCounter, channel.HeldByLedger);

    public static CitizenMonthBody ToBody(CitizenMonth month) =>
        new(month.Limit, month.Used, month.Remaining, month.Purchases.Select(ToBody).ToArray());

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string detail) => LedgerProblems.NotFound(detail);

    /// <summary>
    /// 429 queued: the purchase waits in the waiting room. The buyer sends it again (same key) with the
    /// ticket after <paramref name="retryAfterSeconds"/>; <paramref name="position"/> is null in a pre-queue.
    /// </summary>
    public static WithHeaders Queued(string ticket, long? position, int estimatedWaitSeconds, int retryAfterSeconds, DateTimeOffset? opensAt)
    {
        var figures = new Dictionary<string, object?> { ["position"] = position, ["estimatedWaitSeconds"] = estimatedWaitSeconds };
        if (opensAt is { } opening)
        {
            figures["opensAt"] = opening.ToOffset(ProgramMonth.KoreaOffset);
        }

        var detail = position is null
            ? "The sale has not opened; you are in the pre-queue, placed at random at the opening ahead of everyone after it."
            : "Many are buying; your place is kept. Send the same request with the Queue-Ticket header after Retry-After.";
        return new WithHeaders(
            Problem(StatusCodes.Status429TooManyRequests, "queued", "Queued", detail, figures),
            ("Retry-After", retryAfterSeconds.ToString(CultureInfo.InvariantCulture)), (Queue.QueueTickets.Header, ticket));
    }

    /// <summary>429 for a client past its share (<see cref="ClientFairness"/>): nothing was done; try after the seconds given.</summary>
    public static ProblemHttpResult TooManyRequests(int retryAfterSeconds) =>
        Problem(StatusCodes.Status429TooManyRequests, "too-many-requests", "Too many requests",
            "This client sent more requests than its share; nothing was done. Send again after Retry-After.",
            new() { ["retryAfterSeconds"] = retryAfterSeconds });

    /// <summary>413: the body is over the gateway's limit, whether it said so up front or was cut off on its way in.</summary>
    public static ProblemHttpResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, "too-large", "Body too large", $"The body is over {Program.BodyBytesMax} bytes.");

    /// <summary>503 with Retry-After: the ledger cannot answer now, and nothing was done.</summary>
    public static WithHeaders Unavailable(string detail) => LedgerProblems.Unavailable(detail);

    private static ChannelStateBody ToBody(ChannelState channel) =>
        new(channel.Cap, channel.Sold, channel.Remaining, StatusName(channel.Status));

    internal static string StatusName(SaleStatus status) => status switch
    {
        SaleStatus.Scheduled => "scheduled",
        SaleStatus.Open => "open",
        SaleStatus.SoldOut => "sold-out",
        SaleStatus.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown sale status."),
    };

    private static ProblemHttpResult Rejection(string code, string detail, Dictionary<string, object?>? figures = null) =>
        Problem(StatusCodes.Status409Conflict, code, "Rejected", detail, figures);

    /// <summary>
    /// Fills in what ASP.NET's own problem answers lack: a detail, and for Kestrel's 413 (a body that streamed in past
    /// the limit) the same problem as a declared oversized body.
    /// </summary>
    public static void Complete(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge)
        {
            var tooLarge = TooLarge().ProblemDetails;
            (context.ProblemDetails.Type, context.ProblemDetails.Title, context.ProblemDetails.Detail) =
                (tooLarge.Type, tooLarge.Title, tooLarge.Detail);
            context.ProblemDetails.Extensions["code"] = tooLarge.Extensions["code"];
        }

        context.ProblemDetails.Detail ??= ReasonPhrases.GetReasonPhrase(context.ProblemDetails.Status ?? 500);
    }

    private static ProblemHttpResult Problem(
        int status, string code, string title, string detail, Dictionary<string, object?>? figures = null) =>
        LedgerProblems.Problem(status, code, title, detail, figures);
}
