using System.Threading.RateLimiting;
using Ledger.Client.Api.Hosting;

namespace Ledger.Client.Api;

/// <summary>
/// A bound on the requests the gateway works on at once, with a bounded queue behind it: past both, a
/// request is answered 503 with Retry-After at once instead of piling up. Purchases are not under it: their
/// overload answer is the waiting room (<see cref="Queue.WaitingRoomDesk"/>), which queues rather than refuses.
/// </summary>
public static class OverloadLimit
{
    public const int RequestsInFlightMaxDefault = 1_024;
    public const int QueueMaxDefault = 4_096;

    public static IServiceCollection AddLedgerOverloadLimit(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Ledger:Gateway");
        var inFlight = Math.Max(1, settings.GetValue("RequestsInFlightMax", RequestsInFlightMaxDefault));
        var queued = Math.Max(0, settings.GetValue("QueueMax", QueueMaxDefault));
        services.AddRateLimiter(options =>
        {
            // The readiness probe's purchase is not one more client: it tells whether a purchase gets an answer.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                PurchasePathProbe.IsProbe(context) || context.GetEndpoint()?.Metadata.GetMetadata<Outside>() is not null
                    ? RateLimitPartition.GetNoLimiter("outside")
                    : RateLimitPartition.GetConcurrencyLimiter("gateway", _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = inFlight,
                        QueueLimit = queued,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    }));
            options.OnRejected = (context, _) =>
                new ValueTask(LedgerResults.Unavailable("The gateway is at capacity; nothing was done.").ExecuteAsync(context.HttpContext));
        });
        return services;
    }

    /// <summary>
    /// Leaves an endpoint outside the bound while other limits (the per-client one) still apply: purchases, whose
    /// overload answer is the waiting room.
    /// </summary>
    public static TBuilder OutsideOverloadLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new Outside());

    private sealed class Outside;
}
