namespace Ledger.Client.Api.Contracts;

/// <summary>
/// One program-month on the sales page: its live state (the body of <c>GET /programs/{program}/months/{month}</c>)
/// its curve since opening (null while the sale is scheduled), and its waiting room.
/// </summary>
public sealed record SalesProgramBody(string ProgramId, string Month, ProgramMonthStateBody State, SalesCurveBody? Curve, QueueBody Queue);
