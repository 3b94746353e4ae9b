using Microsoft.AspNetCore.Diagnostics;

namespace Ledger.Client.Api;

/// <summary>
/// A body that cannot be read (malformed JSON, a field of the wrong type, over the size limit) is a 400 or
/// 413 problem in every environment, never a 500.
/// </summary>
public sealed class BadRequestHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var detail = bad.InnerException?.Message ?? bad.Message;
        await TypedResults.Problem(detail, statusCode: bad.StatusCode, title: "Bad request", type: "urn:ledger:problem:bad-request")
            .ExecuteAsync(httpContext);
        return true;
    }
}
