namespace Ledger.Sale.Tests;

public sealed class PurityTests
{
    [Fact]
    public void The_sale_core_references_neither_Orleans_nor_Npgsql()
    {
        var references = typeof(CityMonthSale).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();
        Assert.DoesNotContain(references, name => name.StartsWith("Orleans", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Npgsql", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.Extensions", StringComparison.Ordinal));
    }
}
