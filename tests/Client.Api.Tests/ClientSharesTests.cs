using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>The buckets behind each client's share, on a clock the test moves.</summary>
public sealed class ClientSharesTests
{
    private readonly FakeTimeProvider clock = new();

    [Fact]
    public void A_bucket_serves_its_burst_then_one_request_per_refill_and_says_how_long_to_wait()
    {
        using var shares = new ClientShares(new ClientShares.Rate(PerSecond: 4, Burst: 3), null, clock);

        var burst = Enumerable.Range(0, 3).Select(_ => shares.TryTakeCitizen("c1", out var _)).ToArray();
        var refused = shares.TryTakeCitizen("c1", out var wait);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        var refilled = shares.TryTakeCitizen("c1", out _);
        var again = shares.TryTakeCitizen("c1", out _);

        Assert.All(burst, Assert.True);
        Assert.False(refused);
        Assert.Equal(TimeSpan.FromMilliseconds(250), wait);
        Assert.True(refilled);
        Assert.False(again);
        Assert.True(shares.TryTakeCitizen("c2", out _), "another citizen has a bucket of their own");
    }

    [Fact]
    public void Addresses_have_their_own_rate_and_a_rate_of_none_serves_everything()
    {
        using var shares = new ClientShares(null, new ClientShares.Rate(PerSecond: 1, Burst: 1), clock);

        Assert.True(shares.TryTakeAddress(IPAddress.Loopback, out _));
        Assert.False(shares.TryTakeAddress(IPAddress.Loopback, out _));
        Assert.True(shares.TryTakeAddress(IPAddress.IPv6Loopback, out _));
        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(shares.TryTakeCitizen("c1", out var _)));
    }

    [Fact]
    public void The_sweep_drops_buckets_that_refilled_and_keeps_those_still_owed()
    {
        using var shares = new ClientShares(new ClientShares.Rate(PerSecond: 1, Burst: 2), null, clock);
        shares.TryTakeCitizen("idle", out _);
        clock.Advance(TimeSpan.FromSeconds(1));
        shares.TryTakeCitizen("busy", out _);
        shares.TryTakeCitizen("busy", out _);

        shares.Sweep();

        Assert.Equal(1, shares.Count);
        Assert.False(shares.TryTakeCitizen("busy", out _));
    }

    [Fact]
    public async Task Concurrent_requests_take_exactly_the_burst()
    {
        using var shares = new ClientShares(new ClientShares.Rate(PerSecond: 1, Burst: 100), null, clock);

        var taken = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => Task.Run(() => shares.TryTakeCitizen("c1", out var _))));

        Assert.Equal(100, taken.Count(t => t));
    }
}
