using System.Globalization;
using Ledger.Client.Api.Auth;

namespace Ledger.Client.Api;

/// <summary>
/// A bounded share of the gateway for each client: a token bucket per citizen (the token's subject) on purchases
/// and reads, and per address for reads without a token; tellers and operators are not limited. A client firing in
/// a tight loop is answered 429 with Retry-After once its bucket is empty, and everyone else's requests go on as
/// before. What is refused never reaches a grain. The buckets are <see cref="ClientShares"/>.
/// </summary>
public static class ClientFairness
{
    /// <summary>A citizen's requests a second, and the burst above that a bucket holds.</summary>
    public const int CitizenPerSecondDefault = 10;
    public const int CitizenBurstDefault = 20;

    /// <summary>Requests without a token, a second per address, and their burst (many phones share a carrier's address).</summary>
    public const int AddressPerSecondDefault = 100;
    public const int AddressBurstDefault = 200;

    public static IServiceCollection AddLedgerClientFairness(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Ledger:Gateway:Fairness");
        var citizen = Rate(settings, "CitizenPerSecond", CitizenPerSecondDefault, "CitizenBurst", CitizenBurstDefault);
        var address = Rate(settings, "AddressPerSecond", AddressPerSecondDefault, "AddressBurst", AddressBurstDefault);
        services.AddSingleton(_ => new ClientShares(citizen, address, TimeProvider.System));
        return services;
    }

    /// <summary>Counts the endpoint's requests against their client's share.</summary>
    public static TBuilder RequireClientShare<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(ShareMetadata.Instance);

    /// <summary>Refuses a request past its client's share; after authentication, so that a share is its citizen's.</summary>
    public static IApplicationBuilder UseClientShares(this IApplicationBuilder app) => app.UseMiddleware<SharesMiddleware>();

    // A rate of 0 turns that bucket off.
    private static ClientShares.Rate? Rate(IConfiguration settings, string rateKey, int rateDefault, string burstKey, int burstDefault)
    {
        var rate = settings.GetValue(rateKey, rateDefault);
        var burst = settings.GetValue(burstKey, burstDefault);
        if (rate < 0 || burst < 1)
        {
            throw new InvalidOperationException(
                $"Ledger:Gateway:Fairness:{rateKey} must be 0 (off) or more and {burstKey} 1 or more, not {rate} and {burst}.");
        }

        return rate == 0 ? null : new ClientShares.Rate(rate, burst);
    }

    private sealed class ShareMetadata
    {
        public static readonly ShareMetadata Instance = new();
    }

    private sealed class SharesMiddleware(RequestDelegate next, ClientShares shares)
    {
        public Task InvokeAsync(HttpContext context)
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ShareMetadata>() is null)
            {
                return next(context);
            }

            if (TryTake(context, out var wait))
            {
                return next(context);
            }

            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return LedgerResults.TooManyRequests(seconds).ExecuteAsync(context);
        }

        private bool TryTake(HttpContext context, out TimeSpan wait)
        {
            wait = TimeSpan.Zero;
            var user = context.User;
            if (user.IsInRole(LedgerAuth.TellerRole) || user.IsInRole(LedgerAuth.AdminRole))
            {
                return true;
            }

            // No address: a request from inside the process (the tests' server), not a client.
            return user.CitizenId() is { } citizen
                ? shares.TryTakeCitizen(citizen, out wait)
                : context.Connection.RemoteIpAddress is not { } address || shares.TryTakeAddress(address, out wait);
        }
    }
}
