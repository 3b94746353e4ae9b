namespace Ledger.Grains;

/// <summary>The name of the Orleans grain storage provider that holds grain state (ADO.NET on PostgreSQL).</summary>
public static class LedgerStorage
{
    public const string Name = "ledger";
}
