using Ledger.Grains.Interfaces;
using Microsoft.AspNetCore.Diagnostics;

namespace Ledger.Client.Api;

/// <summary>
/// When the ledger cannot answer (its database failed, no silo is reachable, a call timed out), the client is
/// told 503 with Retry-After, never a hang or a bare 500: a retry with the same Idempotency-Key is safe.
/// </summary>
public sealed class LedgerUnavailableHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (LedgerUnavailableException or OrleansException or TimeoutException))
        {
            return false;
        }

        await LedgerResults.Unavailable("The ledger is not reachable right now; retry with the same Idempotency-Key.")
            .ExecuteAsync(httpContext);
        return true;
    }
}
