using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.ServiceDefaults;

/// <summary>A problem answer with headers (Retry-After, Queue-Ticket) added.</summary>
public sealed class WithHeaders(ProblemHttpResult problem, params (string Name, string Value)[] headers) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        foreach (var (name, value) in headers)
        {
            httpContext.Response.Headers[name] = value;
        }

        return problem.ExecuteAsync(httpContext);
    }
}
