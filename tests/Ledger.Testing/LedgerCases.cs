using FsCheck;
using FsCheck.Fluent;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>The generator and shrinker of <see cref="LedgerCase"/>.</summary>
public static class LedgerCases
{
    public const int Citizens = 4;
    public const int Keys = 3;
    public const int StepsMax = 36;

    /// <summary>The amounts a purchase asks for; valid ones appear more often.</summary>
    public static readonly long[] Amounts = [-10_000, 0, 5_000, 10_000, 20_000, 30_000, 60_000];

    private static readonly long[] WeightedAmounts =
        [-10_000, 0, 5_000, 10_000, 10_000, 20_000, 20_000, 20_000, 30_000, 30_000, 30_000, 60_000];

    public static Gen<LedgerOperation.Buy> BuyGen { get; } =
        from citizen in Gen.Choose(0, Citizens - 1)
        from channel in Gen.Elements(Channel.Mobile, Channel.Mobile, Channel.Paper)
        from amount in Gen.Elements(WeightedAmounts)
        from key in Gen.Choose(0, Keys - 1)
        select new LedgerOperation.Buy(citizen, channel, amount, key);

    public static Gen<LedgerOperation> OperationGen { get; } = Gen.Frequency(
        (30, BuyGen.Select(b => (LedgerOperation)b)),
        (14, from pick in Gen.Choose(0, 1_000)
             from kind in Gen.Elements(RetryKind.Same, RetryKind.Same, RetryKind.OtherAmount, RetryKind.OtherChannel)
             select (LedgerOperation)new LedgerOperation.Retry(pick, kind)),
        (10, from pick in Gen.Choose(0, 1_000)
             from target in Gen.Elements(CancelTarget.Owner, CancelTarget.Owner, CancelTarget.Owner,
                 CancelTarget.OtherCitizen, CancelTarget.AnySequence)
             select (LedgerOperation)new LedgerOperation.Cancel(pick, target)),
        (8, BuyGen.Select(b => (LedgerOperation)new LedgerOperation.DoubleTap(b))),
        (8, from count in Gen.Choose(2, 6)
            from buys in Gen.ArrayOf(BuyGen, count)
            select (LedgerOperation)new LedgerOperation.Burst(buys)),
        (5, Gen.Choose(0, Citizens - 1).Select(c => (LedgerOperation)new LedgerOperation.Forget(c))));

    public static Gen<LedgerCase> CaseGen { get; } =
        from count in Gen.Choose(6, StepsMax)
        from operations in Gen.ArrayOf(OperationGen, count)
        select new LedgerCase(operations);

    public static Arbitrary<LedgerCase> Arbitrary { get; } = Arb.From(CaseGen, Shrink);

    /// <summary>Smaller cases first: halves, then each step left out, then each step made simpler.</summary>
    public static IEnumerable<LedgerCase> Shrink(LedgerCase @case)
    {
        var steps = @case.Operations;
        if (steps.Count >= 4)
        {
            var half = steps.Count / 2;
            yield return new LedgerCase(steps.ToArray()[..half]);
            yield return new LedgerCase(steps.ToArray()[half..]);
        }

        for (var i = 0; i < steps.Count; i++)
        {
            yield return new LedgerCase(steps.Where((_, j) => j != i).ToArray());
        }

        for (var i = 0; i < steps.Count; i++)
        {
            foreach (var simpler in Simplify(steps[i]))
            {
                var copy = steps.ToArray();
                copy[i] = simpler;
                yield return new LedgerCase(copy);
            }
        }
    }

    private static IEnumerable<LedgerOperation> Simplify(LedgerOperation operation)
    {
        switch (operation)
        {
            case LedgerOperation.DoubleTap tap:
                yield return tap.Request;
                break;
            case LedgerOperation.Burst burst:
                for (var i = 0; i < burst.Requests.Count && burst.Requests.Count > 1; i++)
                {
                    yield return new LedgerOperation.Burst(burst.Requests.Where((_, j) => j != i).ToArray());
                }

                break;
            case LedgerOperation.Retry { Kind: not RetryKind.Same } retry:
                yield return retry with { Kind = RetryKind.Same };
                break;
        }
    }
}
