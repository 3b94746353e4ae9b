namespace Ledger.Client.Api;

/// <summary>
/// Until the Orleans client has connected (the host has started), ledger calls answer 503 with Retry-After:
/// the gateway listens while it waits for a silo, so clients get an answer rather than a refused connection.
/// </summary>
public sealed class ClusterReadyFilter(IHostApplicationLifetime lifetime) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        lifetime.ApplicationStarted.IsCancellationRequested
            ? await next(context)
            : LedgerResults.Unavailable("The gateway is still connecting to the cluster.");
}
