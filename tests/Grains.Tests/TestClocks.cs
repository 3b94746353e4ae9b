using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Ledger.Grains.Tests;

/// <summary>
/// The ledger clock of each test cluster, by name. In-process silos share this process, so a test moves
/// the clock its cluster's grains read.
/// </summary>
public static class TestClocks
{
    /// <summary>09:00 KST on 2022-12-01, when the December sale of the seed article opened.</summary>
    public static readonly DateTimeOffset Start = new(2022, 12, 1, 9, 0, 0, TimeSpan.FromHours(9));

    private static readonly ConcurrentDictionary<string, FakeTimeProvider> Clocks = new();

    public static FakeTimeProvider For(string name) => Clocks.GetOrAdd(name, _ => new FakeTimeProvider(Start));
}
