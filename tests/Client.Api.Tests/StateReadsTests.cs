using Ledger.Client.Api.State;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// Live-state reads share grain calls, but never an answer read before the request arrived. The grain is
/// stood in for by calls the test completes itself, so the order of events is exact.
/// </summary>
public sealed class StateReadsTests
{
    private static readonly ProgramMonth Chuncheon = new("chuncheon", "2022-12");
    private static readonly ProgramMonth Gangwon = new("gangwon", "2022-12");

    private readonly List<(ProgramMonth ProgramMonth, TaskCompletionSource<CityMonthSnapshot?> Answer)> calls = [];
    private readonly SemaphoreSlim called = new(0);
    private readonly StateReads reads;

    public StateReadsTests() => reads = new StateReads(programMonth =>
    {
        var answer = new TaskCompletionSource<CityMonthSnapshot?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (calls)
        {
            calls.Add((programMonth, answer));
        }

        called.Release();
        return answer.Task;
    });

    [Fact]
    public async Task Reads_arriving_during_a_call_share_the_next_call_not_the_one_in_flight()
    {
        var first = reads.ReadAsync(Chuncheon);
        var second = reads.ReadAsync(Chuncheon);
        var third = reads.ReadAsync(Chuncheon);

        Assert.Single(calls);
        calls[0].Answer.SetResult(Snapshot(Chuncheon, sold: 10_000));
        Assert.Equal(10_000, (await first)!.Mobile.Sold);
        await WaitForCallsAsync(2);
        Assert.False(second.IsCompleted);
        calls[1].Answer.SetResult(Snapshot(Chuncheon, sold: 20_000));

        Assert.Equal(20_000, (await second)!.Mobile.Sold);
        Assert.Same(second, third);
        Assert.Equal(2, calls.Count);
        Assert.Equal(0, reads.InFlight);
    }

    [Fact]
    public async Task A_read_arriving_during_the_next_call_waits_for_the_one_after_it()
    {
        var first = reads.ReadAsync(Chuncheon);
        var second = reads.ReadAsync(Chuncheon);
        calls[0].Answer.SetResult(Snapshot(Chuncheon, sold: 10_000));
        await WaitForCallsAsync(2);

        var third = reads.ReadAsync(Chuncheon);
        calls[1].Answer.SetResult(Snapshot(Chuncheon, sold: 20_000));
        Assert.Equal(20_000, (await second)!.Mobile.Sold);
        await WaitForCallsAsync(3);
        calls[2].Answer.SetResult(Snapshot(Chuncheon, sold: 30_000));

        Assert.Equal(30_000, (await third)!.Mobile.Sold);
        Assert.Equal(10_000, (await first)!.Mobile.Sold);
        Assert.Equal(0, reads.InFlight);
    }

    [Fact]
    public async Task A_read_after_the_last_one_ended_makes_a_new_call()
    {
        var first = reads.ReadAsync(Chuncheon);
        calls[0].Answer.SetResult(Snapshot(Chuncheon, sold: 10_000));
        await first;

        var later = reads.ReadAsync(Chuncheon);

        Assert.Equal(2, calls.Count);
        Assert.NotSame(first, later);
        Assert.Equal(1, reads.InFlight);
    }

    [Fact]
    public async Task Program_months_are_read_apart_and_a_failure_reaches_only_the_callers_of_that_call()
    {
        var failing = reads.ReadAsync(Chuncheon);
        var queued = reads.ReadAsync(Chuncheon);
        var other = reads.ReadAsync(Gangwon);
        Assert.Equal([Chuncheon, Gangwon], calls.Select(c => c.ProgramMonth));

        calls[0].Answer.SetException(new LedgerUnavailableException("the database is away"));
        calls[1].Answer.SetResult(null);

        await Assert.ThrowsAsync<LedgerUnavailableException>(() => failing);
        Assert.Null(await other);
        await WaitForCallsAsync(3);
        calls[2].Answer.SetResult(Snapshot(Chuncheon, sold: 30_000));
        Assert.Equal(30_000, (await queued)!.Mobile.Sold);
        Assert.Equal(0, reads.InFlight);
    }

    /// <summary>The next call starts on a continuation of the one before: waits until that many were made, bounded.</summary>
    private async Task WaitForCallsAsync(int count)
    {
        while (true)
        {
            lock (calls)
            {
                if (calls.Count >= count)
                {
                    return;
                }
            }

            Assert.True(await called.WaitAsync(TimeSpan.FromSeconds(10)), $"{count} reads were not made.");
        }
    }

    private static CityMonthSnapshot Snapshot(ProgramMonth programMonth, long sold) => new(
        programMonth,
        new Policy(DateTimeOffset.Parse("2022-12-01T09:00:00+09:00"), 1_000, 200_000, 10_000, new ChannelAmounts(1_000_000, 0)),
        SaleStatus.Open,
        new ChannelState(1_000_000, sold, 1_000_000 - sold, SaleStatus.Open),
        new ChannelState(0, 0, 0, SaleStatus.SoldOut),
        sold / 10_000);
}
