namespace Ledger.Grains.Interfaces;

/// <summary>
/// The sales policy of one program-month. The sale opens at <see cref="OpensAt"/> (never before the month
/// starts in KST) and closes when the month ends. Buyers pay the face amount less
/// <see cref="DiscountBps"/> basis points, rounded down to the won.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.Policy")]
public sealed record Policy(
    [property: Id(0)] DateTimeOffset OpensAt,
    [property: Id(1)] int DiscountBps,
    [property: Id(2)] long CitizenMonthlyLimit,
    [property: Id(3)] long Unit,
    [property: Id(4)] ChannelAmounts Caps)
{
    public const int BasisPointsPerWhole = 10_000;

    /// <summary>The price of a face amount: amount x (1 - discount), rounded down to the won.</summary>
    public long PriceOf(long amount) =>
        (long)((Int128)amount * (BasisPointsPerWhole - DiscountBps) / BasisPointsPerWhole);

    /// <summary>When the sale really opens: the later of <see cref="OpensAt"/> and the month's start.</summary>
    public DateTimeOffset EffectiveOpening(ProgramMonth programMonth) =>
        OpensAt > programMonth.Start ? OpensAt : programMonth.Start;

    /// <summary>Each rule the policy breaks, as (field, message) pairs; empty when it is valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate(ProgramMonth programMonth)
    {
        var errors = new List<(string, string)>();
        if (OpensAt >= programMonth.End)
        {
            errors.Add(("opensAt", $"The sale must open before the month ends ({programMonth.End:O})."));
        }

        if (DiscountBps is < 0 or >= BasisPointsPerWhole)
        {
            errors.Add(("discountBps", "The discount must be from 0 to 9999 basis points."));
        }

        if (Unit <= 0)
        {
            errors.Add(("unit", "The sale unit must be a positive amount of won."));
        }
        else if (DiscountBps is >= 0 and < BasisPointsPerWhole && PriceOf(Unit) < 1)
        {
            errors.Add(("unit", "One unit must cost at least 1 won after the discount."));
        }

        if (CitizenMonthlyLimit <= 0)
        {
            errors.Add(("citizenMonthlyLimit", "The monthly limit must be a positive amount of won."));
        }

        if (Caps.Mobile < 0)
        {
            errors.Add(("caps.mobile", "A cap cannot be negative."));
        }

        if (Caps.Paper < 0)
        {
            errors.Add(("caps.paper", "A cap cannot be negative."));
        }

        return errors;
    }
}
