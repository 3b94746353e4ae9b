namespace Ledger.Sale;

/// <summary>A sales channel of a program-month; each has its own cap.</summary>
public enum Channel
{
    Mobile = 0,
    Paper = 1,
}
