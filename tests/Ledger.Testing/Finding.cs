namespace Ledger.Testing;

/// <summary>One broken promise the auditor found, in words.</summary>
public sealed record Finding(Invariant Invariant, string Text)
{
    public override string ToString() => $"{Invariant}: {Text}";
}
