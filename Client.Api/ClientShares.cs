using System.Collections.Concurrent;
using System.Net;

namespace Ledger.Client.Api;

/// <summary>
/// Token buckets by citizen and by address, refilled when a request takes from one: no timer per bucket and no walk of
/// every bucket per tick (ASP.NET Core's partitioned limiter has both, and with a crowd of citizens they cost a fifth of
/// the gateway's CPU), so a request costs a lookup and a short lock. A sweep drops the buckets that have refilled.
/// </summary>
public sealed class ClientShares : IDisposable
{
    /// <summary>How often buckets that have refilled are dropped (a dropped bucket is a full one).</summary>
    public static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(10);

    private readonly Shares<string>? citizens;
    private readonly Shares<IPAddress>? addresses;
    private readonly ITimer sweeper;

    /// <param name="citizen">Each citizen's rate, or null for none.</param>
    /// <param name="address">Each address's rate for requests without a token, or null for none.</param>
    public ClientShares(Rate? citizen, Rate? address, TimeProvider clock)
    {
        citizens = citizen is null ? null : new Shares<string>(citizen, clock);
        addresses = address is null ? null : new Shares<IPAddress>(address, clock);
        sweeper = clock.CreateTimer(_ => Sweep(), null, SweepEvery, SweepEvery);
    }

    /// <summary>Buckets held now.</summary>
    public int Count => (citizens?.Count ?? 0) + (addresses?.Count ?? 0);

    /// <summary>Takes one request from the citizen's bucket; false, with how long until there is one, when it is empty.</summary>
    public bool TryTakeCitizen(string citizenId, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        return citizens is null || citizens.TryTake(citizenId, out wait);
    }

    /// <summary>Takes one request from the address's bucket; false, with how long until there is one, when it is empty.</summary>
    public bool TryTakeAddress(IPAddress address, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        return addresses is null || addresses.TryTake(address, out wait);
    }

    /// <summary>Drops the buckets that have refilled since their last request: a new one would be the same.</summary>
    public void Sweep()
    {
        citizens?.Sweep();
        addresses?.Sweep();
    }

    public void Dispose() => sweeper.Dispose();

    /// <summary>Requests a second, and the burst a full bucket holds.</summary>
    public sealed record Rate(int PerSecond, int Burst);

    private sealed class Shares<TKey>(Rate rate, TimeProvider clock)
        where TKey : notnull
    {
        private readonly ConcurrentDictionary<TKey, Bucket> buckets = new();

        public int Count => buckets.Count;

        public bool TryTake(TKey key, out TimeSpan wait)
        {
            while (true)
            {
                var now = clock.GetTimestamp();
                var bucket = buckets.GetOrAdd(key, static (_, state) => new Bucket(state.Burst, state.Now), (rate.Burst, Now: now));
                lock (bucket)
                {
                    // Dropped by the sweep meanwhile: its key has a new bucket, or will.
                    if (bucket.Dropped)
                    {
                        continue;
                    }

                    Refill(bucket, now);
                    if (bucket.Tokens >= 1)
                    {
                        bucket.Tokens--;
                        wait = TimeSpan.Zero;
                        return true;
                    }

                    wait = TimeSpan.FromSeconds((1 - bucket.Tokens) / rate.PerSecond);
                    return false;
                }
            }
        }

        public void Sweep()
        {
            var now = clock.GetTimestamp();
            foreach (var (key, bucket) in buckets)
            {
                lock (bucket)
                {
                    Refill(bucket, now);
                    if (bucket.Tokens >= rate.Burst)
                    {
                        bucket.Dropped = true;
                        buckets.TryRemove(new KeyValuePair<TKey, Bucket>(key, bucket));
                    }
                }
            }
        }

        private void Refill(Bucket bucket, long now)
        {
            if (now > bucket.At)
            {
                bucket.Tokens = Math.Min(rate.Burst, bucket.Tokens + (clock.GetElapsedTime(bucket.At, now).TotalSeconds * rate.PerSecond));
                bucket.At = now;
            }
        }
    }

    private sealed class Bucket(double tokens, long at)
    {
        public double Tokens { get; set; } = tokens;

        /// <summary>When <see cref="Tokens"/> was last brought up to date (the clock's timestamp).</summary>
        public long At { get; set; } = at;

        public bool Dropped { get; set; }
    }
}
