namespace Ledger.Sale.Tests;

public sealed class RulesTests
{
    [Theory]
    [InlineData(10_000, 1_000, 9_000)]
    [InlineData(10_001, 1_000, 9_000)]
    [InlineData(1, 9_999, 0)]
    [InlineData(long.MaxValue, 0, long.MaxValue)]
    public void The_price_is_the_discounted_amount_rounded_down_to_the_won(long amount, int discountBps, long price) =>
        Assert.Equal(price, Rules.PriceOf(amount, discountBps));

    [Fact]
    public void Keys_are_scoped_to_their_seller()
    {
        Assert.Equal("k", SaleKeys.Scoped("k", null));
        Assert.Equal("t1 k", SaleKeys.Scoped("k", "t1"));
        Assert.True(SaleKeys.IsTellers("t1 k"));
        Assert.False(SaleKeys.IsTellers("k"));
    }
}
