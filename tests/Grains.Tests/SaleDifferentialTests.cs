using FsCheck;
using FsCheck.Fluent;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Ledger.Sale;
using Ledger.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Grains.Tests;

/// <summary>
/// The sale core and its SQL twin, ledger_commit, judge the same generated sequences of purchases, double taps,
/// teller sales, cancels, policy changes (to and from taking payment), holds posted, voided and expired, and fenced
/// activations on the real PostgreSQL. The core knows everything
/// here (one writer, every answer learned), so each of its answers must be the database's: a key that bought
/// is a duplicate, a conflict is a conflict, over the limit is over the limit, over the cap fails the batch,
/// and an admitted purchase is confirmed at the sequence the core expects. Counters and usages must agree after
/// every step. Set LEDGER_DIFFERENTIAL_SEED to replay a run (its seed is in the test output).
/// </summary>
[Trait("Category", TestCategories.Database)]
[Trait("Category", TestCategories.Slow)]
public sealed class SaleDifferentialTests(ITestOutputHelper output)
{
    private const int Cases = 30;

    [Fact]
    public void The_core_and_ledger_commit_give_every_answer_and_counter_alike()
    {
        var config = PropertyRuns.Config("LEDGER_DIFFERENTIAL_SEED", Cases, output);
        Check.One(config, Prop.ForAll(SaleSteps.Arbitrary, (SaleStep[] steps) => RunAsync(steps).GetAwaiter().GetResult()));
    }

    // Counterexamples the property found, shrunk and kept as plain examples.

    [Fact]
    public async Task A_tellers_key_that_bought_for_one_citizen_conflicts_for_another_in_both()
    {
        await RunAsync([new SaleStep.Buy(0, 0, Channel.Paper, 1, Teller: 0), new SaleStep.Buy(1, 0, Channel.Paper, 1, Teller: 0)]);
    }

    [Fact]
    public async Task A_cancel_frees_the_limit_and_the_cap_in_both()
    {
        await RunAsync(
        [
            new SaleStep.Buy(0, 0, Channel.Mobile, 5, null), new SaleStep.Cancel(0), new SaleStep.Buy(0, 1, Channel.Mobile, 5, null),
            new SaleStep.Buy(0, 0, Channel.Mobile, 5, null),
        ]);
    }

    [Fact]
    public async Task Holds_take_the_cap_until_they_end_and_each_ending_is_judged_alike_in_both()
    {
        await RunAsync(
        [
            new SaleStep.ChangePolicy(10, 6, 5, Paid: true),
            new SaleStep.Buy(0, 0, Channel.Mobile, 3, null), new SaleStep.Buy(1, 0, Channel.Mobile, 4, null),
            new SaleStep.Buy(2, 0, Channel.Mobile, 3, null), new SaleStep.Buy(3, 0, Channel.Mobile, 1, null),
            new SaleStep.Settle(0, FollowUp.Post), new SaleStep.Settle(0, FollowUp.Void), new SaleStep.Settle(0, FollowUp.Expire),
            new SaleStep.Buy(1, 0, Channel.Mobile, 4, null), new SaleStep.Cancel(0), new SaleStep.Buy(3, 1, Channel.Mobile, 5, null),
            new SaleStep.ChangePolicy(10, 6, 5, Paid: false), new SaleStep.Buy(2, 1, Channel.Mobile, 2, null), new SaleStep.Cancel(0),
        ]);
    }

    private static async Task<bool> RunAsync(SaleStep[] steps)
    {
        await TestDatabase.EnsureSchemaAsync();
        await using var dataSource = NpgsqlDataSource.Create(TestDatabase.ConnectionString);
        var twins = await SaleTwins.StartAsync(dataSource);
        foreach (var step in steps)
        {
            await twins.RunAsync(step);
            await twins.AssertCountersAgreeAsync(step);
        }

        return true;
    }
}

/// <summary>One step of a differential run: small ids, so that keys, citizens and tellers meet often.</summary>
public abstract record SaleStep
{
    public sealed record Buy(int Citizen, int Key, Channel Channel, int Units, int? Teller) : SaleStep;

    /// <summary>Several purchases admitted together and committed in as few batches as the core takes.</summary>
    public sealed record Burst(Buy[] Buys) : SaleStep;

    /// <summary>Cancels the n-th live purchase (modulo how many there are); nothing when there is none.</summary>
    public sealed record Cancel(int Pick) : SaleStep;

    public sealed record ChangePolicy(int MobileCapUnits, int PaperCapUnits, int LimitUnits, bool Paid = false) : SaleStep;

    /// <summary>Ends the n-th open hold (modulo how many there are) with a post, a void or an expiry; nothing when none is open.</summary>
    public sealed record Settle(int Pick, FollowUp Kind) : SaleStep;

    /// <summary>A new activation claims the program-month: the older one's commits must fail.</summary>
    public sealed record Fence : SaleStep;
}

internal static class SaleSteps
{
    public static Arbitrary<SaleStep[]> Arbitrary { get; } = Arb.From(
        Gen.ArrayOf(StepGen).Select(steps => steps.Take(30).ToArray()), PropertyRuns.WithoutOneStep);

    private static Gen<SaleStep.Buy> BuyGen =>
        from citizen in Gen.Choose(0, 3)
        from key in Gen.Choose(0, 2)
        from channel in Gen.Elements(Channel.Mobile, Channel.Paper)
        from units in Gen.Choose(1, 4)
        from teller in Gen.Frequency((3, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 1).Select(t => (int?)t)))
        select new SaleStep.Buy(citizen, key, channel, units, teller);

    private static Gen<SaleStep> StepGen => Gen.Frequency(
        (10, BuyGen.Select(b => (SaleStep)b)),
        (3, Gen.ArrayOf(BuyGen).Select(b => (SaleStep)new SaleStep.Burst(b.Take(6).ToArray()))),
        (3, Gen.Choose(0, 20).Select(p => (SaleStep)new SaleStep.Cancel(p))),
        (2, from m in Gen.Choose(0, 20) from p in Gen.Choose(0, 10) from l in Gen.Choose(1, 10) from paid in Gen.Elements(false, true)
            select (SaleStep)new SaleStep.ChangePolicy(m, p, l, paid)),
        (4, from pick in Gen.Choose(0, 20) from kind in Gen.Elements(FollowUp.Post, FollowUp.Post, FollowUp.Void, FollowUp.Expire)
            select (SaleStep)new SaleStep.Settle(pick, kind)),
        (1, Gen.Constant((SaleStep)new SaleStep.Fence())));
}
