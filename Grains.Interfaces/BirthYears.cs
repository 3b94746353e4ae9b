namespace Ledger.Grains.Interfaces;

/// <summary>
/// The birth years a cohort takes: <c>even</c>, <c>odd</c>, or a range <c>{"from":Y,"to":Y}</c> with either bound
/// optional (API.md, "Opening by cohort").
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.BirthYears")]
public sealed record BirthYears(
    [property: Id(0)] BirthYearParity? Parity,
    [property: Id(1)] int? From = null,
    [property: Id(2)] int? To = null)
{
    public static readonly BirthYears Even = new(BirthYearParity.Even);
    public static readonly BirthYears Odd = new(BirthYearParity.Odd);

    public static BirthYears Between(int? from, int? to) => new(null, from, to);

    public bool Contains(int year) => Parity switch
    {
        BirthYearParity.Even => year % 2 == 0,
        BirthYearParity.Odd => year % 2 != 0,
        _ => (From is null || year >= From) && (To is null || year <= To),
    };
}
