using System.Diagnostics.Metrics;

namespace Ledger.Client.Api.Hosting;

/// <summary>Counts the connections the gateway holds against its bound, and those it closed at accept.</summary>
public sealed class ConnectionGate
{
    /// <summary>At most one warning this often while connections are being closed at accept.</summary>
    public static readonly TimeSpan WarningPeriodMin = TimeSpan.FromSeconds(10);

    private readonly ConnectionBound bound;
    private readonly ILogger<ConnectionGate> logger;
    private long open;
    private long rejected;
    private long lastWarningTicks;

    public ConnectionGate(ConnectionBound bound, ILogger<ConnectionGate> logger, IMeterFactory meters)
    {
        this.bound = bound;
        this.logger = logger;
        lastWarningTicks = Environment.TickCount64 - (long)WarningPeriodMin.TotalMilliseconds;
        var meter = meters.Create(GatewayMetrics.MeterName);
        meter.CreateObservableUpDownCounter("ledger.gateway.connections", () => Open, description: "Connections held.");
        meter.CreateObservableUpDownCounter("ledger.gateway.connections.bound", () => Bound, description: "The most connections held at once.");
        meter.CreateObservableCounter("ledger.gateway.connections.rejected", () => Rejected,
            description: "Connections closed at accept because the bound was reached.");
    }

    public long Open => Interlocked.Read(ref open);

    public long Rejected => Interlocked.Read(ref rejected);

    public long Bound => bound.Connections;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref open) <= bound.Connections)
        {
            return true;
        }

        Interlocked.Decrement(ref open);
        var total = Interlocked.Increment(ref rejected);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastWarningTicks);
        if (now - last >= (long)WarningPeriodMin.TotalMilliseconds && Interlocked.CompareExchange(ref lastWarningTicks, now, last) == last)
        {
            logger.LogWarning("At the connection bound ({Bound}): new connections are closed at accept ({Rejected} so far)", bound.Connections, total);
        }

        return false;
    }

    public void Leave() => Interlocked.Decrement(ref open);
}
