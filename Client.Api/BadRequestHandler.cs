using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Ledger.Client.Api;

/// <summary>
/// A body that cannot be read is a 400 validation problem naming the field (from the JSON path, e.g.
/// <c>$.amount</c>), or 413 when it is too large, in every environment; never a 500.
/// </summary>
public sealed class BadRequestHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        if (bad.StatusCode == StatusCodes.Status400BadRequest)
        {
            var json = bad.InnerException as JsonException;
            var field = json?.Path is { Length: > 2 } path ? path[2..] : "body";
            var message = json?.InnerException?.Message ?? json?.Message ?? bad.Message;
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            await TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
                detail: "The request body could not be read.").ExecuteAsync(httpContext);
            return true;
        }

        await TypedResults.Problem(bad.Message, statusCode: bad.StatusCode, title: "Bad request", type: "urn:ledger:problem:bad-request")
            .ExecuteAsync(httpContext);
        return true;
    }
}
