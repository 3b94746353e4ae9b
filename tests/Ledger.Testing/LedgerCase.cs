namespace Ledger.Testing;

/// <summary>A generated case: the steps run, in order, against a fresh program-month.</summary>
public sealed record LedgerCase(IReadOnlyList<LedgerOperation> Operations)
{
    public override string ToString() =>
        $"{Operations.Count} steps:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", Operations);
}
