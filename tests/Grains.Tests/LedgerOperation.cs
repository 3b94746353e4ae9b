using FsCheck;
using FsCheck.Fluent;
using Ledger.Grains.Interfaces;

namespace Ledger.Grains.Tests;

/// <summary>
/// One step of a generated ledger case. Steps name citizens and keys by small indexes (so they repeat) and
/// earlier requests or purchases by a pick that is resolved, modulo what exists, when the step runs: removing
/// steps while shrinking never leaves a step pointing at nothing.
/// </summary>
public abstract record LedgerOperation
{
    /// <summary>A purchase by citizen <c>c{Citizen}</c> with key <c>k{Key}</c>.</summary>
    public sealed record Buy(int Citizen, Channel Channel, long Amount, int Key) : LedgerOperation
    {
        public override string ToString() => $"Buy(c{Citizen}, {Channel}, {Amount}, k{Key})";
    }

    /// <summary>An earlier request again: the same, or its key with another amount or channel.</summary>
    public sealed record Retry(int Pick, RetryKind Kind) : LedgerOperation
    {
        public override string ToString() => $"Retry(#{Pick}, {Kind})";
    }

    /// <summary>A cancellation of an earlier purchase (by its buyer or someone else) or of any sequence.</summary>
    public sealed record Cancel(int Pick, CancelTarget Target) : LedgerOperation
    {
        public override string ToString() => $"Cancel(#{Pick}, {Target})";
    }

    /// <summary>The same request sent twice at once.</summary>
    public sealed record DoubleTap(Buy Request) : LedgerOperation
    {
        public override string ToString() => $"DoubleTap({Request})";
    }

    /// <summary>Several purchases sent at once, each with a fresh key.</summary>
    public sealed record Burst(IReadOnlyList<Buy> Requests) : LedgerOperation
    {
        public override string ToString() => $"Burst({string.Join(", ", Requests)})";
    }

    /// <summary>The citizen grain is deactivated: its remembered answers and known usage are gone.</summary>
    public sealed record Forget(int Citizen) : LedgerOperation
    {
        public override string ToString() => $"Forget(c{Citizen})";
    }
}

public enum RetryKind
{
    Same,
    OtherAmount,
    OtherChannel,
}

public enum CancelTarget
{
    /// <summary>One of the purchases made so far, cancelled by its buyer.</summary>
    Owner,

    /// <summary>One of the purchases made so far, cancelled by another citizen.</summary>
    OtherCitizen,

    /// <summary>Any sequence from 1 to one past the last entry, by citizen c0: a cancel entry or nothing is not found.</summary>
    AnySequence,
}

/// <summary>A generated case: the steps run, in order, against a fresh program-month.</summary>
public sealed record LedgerCase(IReadOnlyList<LedgerOperation> Operations)
{
    public override string ToString() =>
        $"{Operations.Count} steps:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", Operations);
}

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
            yield return new LedgerCase(steps.Take(steps.Count / 2).ToArray());
            yield return new LedgerCase(steps.Skip(steps.Count / 2).ToArray());
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
