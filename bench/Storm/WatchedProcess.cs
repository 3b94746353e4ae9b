namespace Ledger.Bench;

/// <summary>A gateway or silo during the storm: whether it still ran at the end, its soft open-file limit, and the most open files seen.</summary>
public sealed record WatchedProcess(int Pid, string Name, bool RunningAfter, long? FileLimit, int? OpenFilesPeak);
