using System.Globalization;
using System.Threading.RateLimiting;
using Ledger.Client.Api.Auth;
using Microsoft.AspNetCore.RateLimiting;

namespace Ledger.Client.Api;

/// <summary>
/// A bounded share of the gateway for each client: a token bucket per citizen (the token's subject) on purchases
/// and reads, and per address for reads without a token; tellers and operators are not limited. A client firing in a tight loop is answered 429 with
/// Retry-After once its bucket is empty, at the cost of a counter, and everyone else's requests go on as before.
/// What the limiter refuses never reaches a grain.
/// </summary>
public static class ClientFairness
{
    public const string Policy = "per-client";

    /// <summary>A citizen's requests a second, and the burst above that a bucket holds.</summary>
    public const int CitizenPerSecondDefault = 10;
    public const int CitizenBurstDefault = 20;

    /// <summary>Requests without a token, a second per address, and their burst (many phones share a carrier's address).</summary>
    public const int AddressPerSecondDefault = 100;
    public const int AddressBurstDefault = 200;

    public static IServiceCollection AddLedgerClientFairness(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Ledger:Gateway:Fairness");
        var citizen = Bucket(settings, "CitizenPerSecond", CitizenPerSecondDefault, "CitizenBurst", CitizenBurstDefault);
        var address = Bucket(settings, "AddressPerSecond", AddressPerSecondDefault, "AddressBurst", AddressBurstDefault);
        services.AddRateLimiter(options => options.AddPolicy(Policy, new PerClient(citizen, address)));
        return services;
    }

    // A rate of 0 turns that bucket off.
    private static TokenBucketRateLimiterOptions? Bucket(IConfiguration settings, string rateKey, int rateDefault, string burstKey, int burstDefault)
    {
        var rate = settings.GetValue(rateKey, rateDefault);
        var burst = settings.GetValue(burstKey, burstDefault);
        if (rate < 0 || burst < 1)
        {
            throw new InvalidOperationException(
                $"Ledger:Gateway:Fairness:{rateKey} must be 0 (off) or more and {burstKey} 1 or more, not {rate} and {burst}.");
        }

        return rate == 0 ? null : new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = rate,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private sealed class PerClient(TokenBucketRateLimiterOptions? citizen, TokenBucketRateLimiterOptions? address) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (context, _) =>
        {
            var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return new ValueTask(LedgerResults.TooManyRequests(seconds).ExecuteAsync(context.HttpContext));
        };

        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            // The limiter runs after authentication: a valid token names its citizen. A teller sells for many
            // citizens and an operator runs the sale; their tokens are issued by the operator, so they get no bucket.
            var user = httpContext.User;
            if (user.IsInRole(LedgerAuth.TellerRole) || user.IsInRole(LedgerAuth.AdminRole))
            {
                return RateLimitPartition.GetNoLimiter("");
            }

            if (user.CitizenId() is { } subject)
            {
                return citizen is null ? RateLimitPartition.GetNoLimiter("") : RateLimitPartition.GetTokenBucketLimiter("sub:" + subject, _ => citizen);
            }

            // No address: a request from inside the process (the tests' server), not a client.
            return httpContext.Connection.RemoteIpAddress is { } ip && address is not null
                ? RateLimitPartition.GetTokenBucketLimiter("ip:" + ip, _ => address)
                : RateLimitPartition.GetNoLimiter("");
        }
    }
}
