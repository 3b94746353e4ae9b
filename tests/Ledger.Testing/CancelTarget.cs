namespace Ledger.Testing;

public enum CancelTarget
{
    /// <summary>One of the purchases made so far, cancelled by its buyer.</summary>
    Owner,

    /// <summary>One of the purchases made so far, cancelled by another citizen.</summary>
    OtherCitizen,

    /// <summary>Any sequence from 1 to one past the last entry, by citizen c0: a cancel entry or nothing is not found.</summary>
    AnySequence,
}
