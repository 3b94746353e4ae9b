using Ledger.Client.Api.Hosting;

namespace Ledger.Client.Api;

/// <summary>
/// Until the Orleans client has connected and every request path has run once, ledger calls answer 503 with
/// Retry-After: the gateway listens while it starts, so clients get an answer rather than a refused connection,
/// and no client's request is the one that first loads a path.
/// </summary>
public sealed class ClusterReadyFilter(IHostApplicationLifetime lifetime, PurchasePathProbe probe) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        probe.IsWarm || PurchasePathProbe.IsProbe(context.HttpContext)
            ? await next(context)
            : LedgerResults.Unavailable(lifetime.ApplicationStarted.IsCancellationRequested
                ? "The gateway is still starting."
                : "The gateway is still connecting to the cluster.");
}
