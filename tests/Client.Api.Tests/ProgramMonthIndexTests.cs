using Ledger.Client.Api.State;
using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The index of program-months that exist: lookups share a database read, but never one that began before the
/// request arrived, and what waits is bounded. The database is stood in for by lookups the test answers itself.
/// </summary>
public sealed class ProgramMonthIndexTests
{
    private static readonly ProgramMonth Chuncheon = new("chuncheon", "2022-12");
    private static readonly ProgramMonth Nowhere = new("nowhere", "2022-12");

    private readonly List<(ProgramMonth[] Asked, TaskCompletionSource<IReadOnlySet<ProgramMonth>> Answer)> lookups = [];
    private readonly SemaphoreSlim lookedUp = new(0);
    private readonly ProgramMonthIndex index;

    public ProgramMonthIndexTests() => index = new ProgramMonthIndex(asked =>
    {
        var answer = new TaskCompletionSource<IReadOnlySet<ProgramMonth>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (lookups)
        {
            lookups.Add(([.. asked], answer));
        }

        lookedUp.Release();
        return answer.Task;
    });

    [Fact]
    public async Task Requests_arriving_during_a_lookup_share_the_next_one_not_the_one_in_flight()
    {
        var first = index.ExistsAsync(Chuncheon).AsTask();
        var second = index.ExistsAsync(Chuncheon).AsTask();
        var other = index.ExistsAsync(Nowhere).AsTask();
        var third = index.ExistsAsync(Chuncheon).AsTask();

        Assert.Equal([Chuncheon], Lookup(0).Asked);
        Lookup(0).Answer.SetResult(new HashSet<ProgramMonth>());
        Assert.False(await first);
        await WaitForLookupsAsync(2);
        Assert.False(second.IsCompleted);
        Assert.Equal([Chuncheon.Key, Nowhere.Key], Lookup(1).Asked.Select(p => p.Key).Order(StringComparer.Ordinal));
        Lookup(1).Answer.SetResult(new HashSet<ProgramMonth> { Nowhere });
        var answers = await Task.WhenAll(second, third, other);
        Assert.Equal([false, false, true], answers);
        Assert.Equal(2, lookups.Count);
    }

    [Fact]
    public async Task A_program_month_set_after_a_lookup_began_is_found_by_the_request_that_follows()
    {
        var before = index.ExistsAsync(Chuncheon).AsTask();
        // Its policy is saved while that lookup is in flight; a request sent after that waits for a lookup of its own.
        var after = index.ExistsAsync(Chuncheon).AsTask();
        Lookup(0).Answer.SetResult(new HashSet<ProgramMonth>());
        Assert.False(await before);
        await WaitForLookupsAsync(2);
        Assert.False(after.IsCompleted);
        Lookup(1).Answer.SetResult(new HashSet<ProgramMonth> { Chuncheon });

        Assert.True(await after);
        Assert.Equal([Chuncheon], Lookup(1).Asked);
    }

    [Fact]
    public async Task A_program_month_found_or_learned_is_not_looked_up_again_and_one_not_found_is()
    {
        var found = index.ExistsAsync(Chuncheon).AsTask();
        Lookup(0).Answer.SetResult(new HashSet<ProgramMonth> { Chuncheon });
        Assert.True(await found);
        var missing = index.ExistsAsync(Nowhere).AsTask();
        await WaitForLookupsAsync(2);
        Lookup(1).Answer.SetResult(new HashSet<ProgramMonth>());
        Assert.False(await missing);
        var learned = new ProgramMonth("gangwon", "2022-12");
        index.Learn(learned);

        Assert.True(await index.ExistsAsync(Chuncheon));
        Assert.True(await index.ExistsAsync(learned));
        var again = index.ExistsAsync(Nowhere).AsTask();
        await WaitForLookupsAsync(3);
        Assert.Equal([Nowhere], Lookup(2).Asked);
        Lookup(2).Answer.SetResult(new HashSet<ProgramMonth>());
        Assert.False(await again);
    }

    [Fact]
    public async Task A_failed_lookup_fails_its_requests_as_unavailable_and_the_next_request_looks_up_again()
    {
        var failed = index.ExistsAsync(Chuncheon).AsTask();
        Lookup(0).Answer.SetException(new TimeoutException("The database did not answer."));

        var exception = await Assert.ThrowsAsync<LedgerUnavailableException>(() => failed);
        Assert.IsType<TimeoutException>(exception.InnerException);
        var retried = index.ExistsAsync(Chuncheon).AsTask();
        await WaitForLookupsAsync(2);
        Lookup(1).Answer.SetResult(new HashSet<ProgramMonth> { Chuncheon });
        Assert.True(await retried);
    }

    [Fact]
    public async Task Lookups_are_batched_and_what_waits_is_bounded()
    {
        var inFlight = index.ExistsAsync(Chuncheon).AsTask();
        var waiting = Enumerable.Range(0, ProgramMonthIndex.WaitingMax)
            .Select(i => index.ExistsAsync(new ProgramMonth($"p{i}", "2022-12")).AsTask()).ToArray();

        Assert.Throws<LedgerUnavailableException>(() => { _ = index.ExistsAsync(Nowhere); });
        Lookup(0).Answer.SetResult(new HashSet<ProgramMonth>());
        for (var i = 1; i <= ProgramMonthIndex.WaitingMax / ProgramMonthIndex.LookupBatchMax; i++)
        {
            await WaitForLookupsAsync(i + 1);
            Assert.Equal(ProgramMonthIndex.LookupBatchMax, Lookup(i).Asked.Length);
            Lookup(i).Answer.SetResult(new HashSet<ProgramMonth> { new("p0", "2022-12") });
        }

        Assert.False(await inFlight);
        var answers = await Task.WhenAll(waiting);
        Assert.Equal([true], answers.Take(1));
        Assert.All(answers.Skip(1), Assert.False);
    }

    [Fact]
    public async Task Without_a_database_every_program_month_is_taken_to_exist_and_left_to_the_grains()
    {
        var unindexed = new ProgramMonthIndex(null);

        Assert.True(await unindexed.ExistsAsync(Nowhere));
    }

    private (ProgramMonth[] Asked, TaskCompletionSource<IReadOnlySet<ProgramMonth>> Answer) Lookup(int i)
    {
        lock (lookups)
        {
            return lookups[i];
        }
    }

    /// <summary>Waits until the index has made <paramref name="count"/> lookups: the next starts once an answer's continuations ran.</summary>
    private async Task WaitForLookupsAsync(int count)
    {
        while (true)
        {
            lock (lookups)
            {
                if (lookups.Count >= count)
                {
                    return;
                }
            }

            Assert.True(await lookedUp.WaitAsync(TimeSpan.FromSeconds(10)), $"{count} lookups were not made.");
        }
    }
}
