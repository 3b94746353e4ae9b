using System.Globalization;
using FsCheck;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace Ledger.Grains.Tests;

/// <summary>How a property test runs: a random seed, printed, or the one named in an environment variable to replay it.</summary>
public static class PropertyRuns
{
    public static Config Config(string seedVariable, int cases, ITestOutputHelper output)
    {
        var seed = Environment.GetEnvironmentVariable(seedVariable) is { Length: > 0 } text
            ? ulong.Parse(text, CultureInfo.InvariantCulture)
            : (ulong)Random.Shared.NextInt64(long.MaxValue);
        output.WriteLine($"FsCheck seed {seed}: set {seedVariable}={seed} to replay this run.");
        return FsCheck.Config.QuickThrowOnFailure
            .WithMaxTest(cases)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
    }

    /// <summary>Shrinks a run of steps by leaving out one step at a time.</summary>
    public static IEnumerable<T[]> WithoutOneStep<T>(T[] steps) =>
        Enumerable.Range(0, steps.Length).Select(i => steps.Take(i).Concat(steps.Skip(i + 1)).ToArray());
}
