namespace Ledger.Bench;

/// <summary>
/// One of issue 15's targets for the storm, as the report states it: what it is, the bound, what this run
/// measured, and whether that is within it. A target not met is reported, not a failure of the run: the run
/// fails only when something is incorrect (see <see cref="StormReport.Failures"/>).
/// </summary>
public sealed record StormTarget(string Name, string Bound, string Measured, bool Met);
