using System.Diagnostics.Metrics;
using Ledger.Sale;

namespace Ledger.Client.Api;

/// <summary>The gateway's own meter (<see cref="GatewayTelemetry"/> serves it): purchases by outcome, queue waits, connections.</summary>
public static class GatewayMetrics
{
    public const string MeterName = "Ledger.Gateway";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Purchases =
        Meter.CreateCounter<long>("ledger.gateway.purchases", description: "Purchase requests answered, by outcome.");

    public static void Count(PurchaseOutcome outcome) =>
        Purchases.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString()));
}
