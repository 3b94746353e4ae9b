using Ledger.Grains.Interfaces;

namespace Ledger.Bench;

/// <summary>One program-month on sale in a run, with its policy.</summary>
public sealed record Sale(ProgramMonth ProgramMonth, Policy Policy);
