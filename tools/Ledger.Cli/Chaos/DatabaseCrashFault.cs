using Ledger.Chaos;
using Orleans.Runtime;

namespace Ledger.Cli.Chaos;

/// <summary>PostgreSQL stopped in immediate mode, like a crash, and started again after the hold (it replays its WAL).</summary>
public sealed class DatabaseCrashFault(Postgres postgres, TimeSpan holdFor) : IChaosFault
{
    public const string Name = "PostgreSQL crashed and restarted";

    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(5);

    public string Description { get; private set; } = $"{Name} (not yet struck)";

    public TimeSpan? HoldFor { get; } = holdFor;

    public Task InjectAsync(SiloAddress hotSilo)
    {
        postgres.Crash();
        Description = $"{Name}: PostgreSQL stopped with pg_ctl -m immediate (a crash: it replays its WAL when it starts)";
        return Task.CompletedTask;
    }

    public Task RepairAsync()
    {
        postgres.Start();
        return Task.CompletedTask;
    }
}
