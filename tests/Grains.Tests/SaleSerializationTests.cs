using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace Ledger.Grains.Tests;

/// <summary>The sale core's types know nothing of Orleans; they travel between gateway and silos all the same.</summary>
public sealed class SaleSerializationTests
{
    private readonly ServiceProvider services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public void The_cores_enums_have_codecs_of_their_own_not_the_untyped_fallback()
    {
        var codecs = services.GetRequiredService<ICodecProvider>();
        Assert.Equal("ChannelCodec", codecs.GetCodec<Channel>().GetType().Name);
        Assert.Equal("PurchaseOutcomeCodec", codecs.GetCodec<PurchaseOutcome>().GetType().Name);
        Assert.Equal("CancelOutcomeCodec", codecs.GetCodec<CancelOutcome>().GetType().Name);
    }

    [Fact]
    public void Requests_answers_and_policies_round_trip_with_the_cores_types_in_them()
    {
        var serializer = services.GetRequiredService<Serializer>();
        var request = new PurchaseRequest(new ProgramMonth("p", "2026-12"), "c1", "k", Channel.Paper, 10_000, "t1", 1990);
        var refusal = PurchaseResult.LimitExceeded(remaining: 5, citizenUsed: 10);
        var cancel = new CancelResult(CancelOutcome.WindowPassed);
        var policy = new Policy(DateTimeOffset.UnixEpoch, 1_000, 200_000, 10_000, new ChannelAmounts(7, 3));

        Assert.Equal(request, RoundTrip(request));
        Assert.Equal(refusal, RoundTrip(refusal));
        Assert.Equal(cancel, RoundTrip(cancel));
        Assert.Equal(policy, RoundTrip(policy));
        Assert.Equal(Channel.Paper, RoundTrip<object>(Channel.Paper));

        T RoundTrip<T>(T value) => serializer.Deserialize<T>(serializer.SerializeToArray(value))!;
    }
}
