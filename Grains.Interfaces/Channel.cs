namespace Ledger.Grains.Interfaces;

/// <summary>A sales channel of a program-month; each has its own cap.</summary>
[GenerateSerializer, Alias("Ledger.Channel")]
public enum Channel
{
    Mobile = 0,
    Paper = 1,
}
