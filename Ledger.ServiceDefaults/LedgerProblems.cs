using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.ServiceDefaults;

/// <summary>
/// RFC 9457 problem details as every Ledger answer gives them: a <c>urn:ledger:problem:</c> type, a short
/// <c>code</c>, and the figures behind it.
/// </summary>
public static class LedgerProblems
{
    /// <summary>Seconds a client is asked to wait before retrying a 503.</summary>
    public const int RetryAfterSeconds = 1;

    public static ProblemHttpResult Problem(int status, string code, string title, string detail, Dictionary<string, object?>? figures = null)
    {
        var extensions = new Dictionary<string, object?>(figures ?? []) { ["code"] = code };
        return TypedResults.Problem(detail, statusCode: status, title: title, type: $"urn:ledger:problem:{code}", extensions: extensions);
    }

    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "not-found", "Not found", detail);

    /// <summary>503 with Retry-After: the ledger cannot answer now, and nothing was done.</summary>
    public static WithHeaders Unavailable(string detail) =>
        new(Problem(StatusCodes.Status503ServiceUnavailable, "unavailable", "Try again shortly", detail),
            ("Retry-After", RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)));
}
