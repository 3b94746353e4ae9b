namespace Ledger.Grains.Interfaces;

[GenerateSerializer, Alias("Ledger.BirthYearParity")]
public enum BirthYearParity
{
    Even = 0,
    Odd = 1,
}
