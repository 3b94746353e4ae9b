namespace Ledger.Grains.Interfaces;

/// <summary>
/// The live state of a program-month. <see cref="Sold"/> counts confirmed purchases only;
/// <see cref="ChannelState.Remaining"/> also holds back what is reserved by purchases being committed,
/// so it never promises more than can be sold. <see cref="Pending"/> counts the purchases and cancels
/// waiting for their commit: the ledger's backlog, which the waiting room admits against.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.CityMonthSnapshot")]
public sealed record CityMonthSnapshot(
    [property: Id(0)] ProgramMonth ProgramMonth,
    [property: Id(1)] Policy Policy,
    [property: Id(2)] SaleStatus Status,
    [property: Id(3)] ChannelState Mobile,
    [property: Id(4)] ChannelState Paper,
    [property: Id(5)] long Entries,
    [property: Id(6)] int Pending = 0);
