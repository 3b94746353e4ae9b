using System.Text.Json;
using System.Globalization;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Client.Api;

/// <summary>
/// The one place that turns what the grains answer into status codes and RFC 9457 problem details.
/// Business rejections are 409 with a short <c>code</c> and the figures behind it.
/// </summary>
public static class LedgerResults
{
    /// <summary>Seconds a client is asked to wait before retrying a 503.</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>The answer to a purchase, counted in the metrics unless it answers the readiness probe.</summary>
    public static IResult Purchase(PurchaseResult result, bool counted = true)
    {
        if (counted)
        {
            GatewayMetrics.Count(result.Outcome);
        }

        return PurchaseAnswer(result);
    }

    private static IResult PurchaseAnswer(PurchaseResult result) => result.Outcome switch
    {
        PurchaseOutcome.Confirmed => TypedResults.Created($"/purchases/{result.Purchase!.PurchaseId}", ToBody(result.Purchase)),
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

    public static IResult Cancel(CancelResult result) => result.Outcome switch
    {
        CancelOutcome.Cancelled => TypedResults.Ok(ToBody(result.Purchase!)),
        CancelOutcome.WindowPassed => Rejection("cancel-window-passed", "Purchases can be cancelled within 7 days."),
        CancelOutcome.NotFound => NotFound("No such purchase."),
        CancelOutcome.Busy => Unavailable("Too many requests are waiting; nothing was cancelled."),
        _ => throw new InvalidOperationException($"Unknown cancel outcome {result.Outcome}."),
    };

    public static IResult SetPolicy(SetPolicyResult result) => result.Outcome switch
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
        purchase.Status == PurchaseStatus.Cancelled ? "cancelled" : "confirmed",
        purchase.PurchasedAt.ToOffset(ProgramMonth.KoreaOffset), purchase.Sequence);

    public static PolicyBody ToBody(Policy policy) => new(
        policy.OpensAt, policy.DiscountBps, policy.CitizenMonthlyLimit, policy.Unit,
        new CapsBody(policy.Caps.Mobile, policy.Caps.Paper), CohortBodies(policy), PreQueueMinutesOf(policy));

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
        CohortBodies(snapshot.Policy), PreQueueMinutesOf(snapshot.Policy));

    public static LedgerPageBody ToBody(LedgerPage page) => new(
        page.Entries.Select(e => new LedgerEntryBody(
            e.Sequence, e.Kind == LedgerEntryKind.Purchase ? "purchase" : "cancel", e.PurchaseId, e.CitizenId,
            e.Channel.ToName(), e.Amount, e.Price, e.At.ToOffset(ProgramMonth.KoreaOffset))).ToArray(),
        page.Next);

    public static AuditBody ToBody(AuditReport audit) => new(
        audit.Consistent,
        new Dictionary<string, ChannelAuditBody>
        {
            [ChannelNames.Mobile] = new(audit.Mobile.Cap, audit.Mobile.SoldByCounter, audit.Mobile.SoldByLedger),
            [ChannelNames.Paper] = new(audit.Paper.Cap, audit.Paper.SoldByCounter, audit.Paper.SoldByLedger),
        },
        audit.CitizensOverLimit,
        audit.Entries);

    public static CitizenMonthBody ToBody(CitizenMonth month) =>
        new(month.Limit, month.Used, month.Remaining, month.Purchases.Select(ToBody).ToArray());

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "not-found", "Not found", detail);

    /// <summary>
    /// 429 queued: the purchase waits in the waiting room. The buyer sends it again (same key) with the
    /// ticket after <paramref name="retryAfterSeconds"/>; <paramref name="position"/> is null in a pre-queue.
    /// </summary>
    public static IResult Queued(string ticket, long? position, int estimatedWaitSeconds, int retryAfterSeconds, DateTimeOffset? opensAt)
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

    /// <summary>503 with Retry-After: the ledger cannot answer now, and nothing was done.</summary>
    public static IResult Unavailable(string detail) =>
        new WithHeaders(
            Problem(StatusCodes.Status503ServiceUnavailable, "unavailable", "Try again shortly", detail),
            ("Retry-After", RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)));

    private static ChannelStateBody ToBody(ChannelState channel) =>
        new(channel.Cap, channel.Sold, channel.Remaining, StatusName(channel.Status));

    private static string StatusName(SaleStatus status) => status switch
    {
        SaleStatus.Scheduled => "scheduled",
        SaleStatus.Open => "open",
        SaleStatus.SoldOut => "sold-out",
        SaleStatus.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown sale status."),
    };

    private static ProblemHttpResult Rejection(string code, string detail, Dictionary<string, object?>? figures = null) =>
        Problem(StatusCodes.Status409Conflict, code, "Rejected", detail, figures);

    private static ProblemHttpResult Problem(
        int status, string code, string title, string detail, Dictionary<string, object?>? figures = null)
    {
        var extensions = new Dictionary<string, object?>(figures ?? []) { ["code"] = code };
        return TypedResults.Problem(detail, statusCode: status, title: title, type: $"urn:ledger:problem:{code}", extensions: extensions);
    }

    /// <summary>Adds headers to a result.</summary>
    private sealed class WithHeaders(IResult inner, params (string Name, string Value)[] headers) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            foreach (var (name, value) in headers)
            {
                httpContext.Response.Headers[name] = value;
            }

            return inner.ExecuteAsync(httpContext);
        }
    }
}
