namespace Ledger.Testing;

/// <summary>One broken promise the auditor found, in words.</summary>
public sealed record Finding(Invariant Invariant, string Text)
{
    /// <summary>One line per invariant broken: how often, and the first finding as the example.</summary>
    public static IReadOnlyList<string> Summarize(IEnumerable<Finding> findings) =>
        findings.GroupBy(f => f.Invariant)
            .Select(g => g.Count() == 1 ? g.First().ToString() : $"{g.Count()} x {g.Key}, e.g. {g.First().Text}")
            .ToArray();

    public override string ToString() => $"{Invariant}: {Text}";
}
