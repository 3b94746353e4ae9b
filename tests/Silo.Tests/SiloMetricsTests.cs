using System.Globalization;
using System.Text.RegularExpressions;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Silo.Tests;

[Collection(SiloProcessCollection.Name)]
[Trait("Category", TestCategories.Process)]
public sealed partial class SiloMetricsTests
{
    private static readonly TimeSpan ShutdownTimeoutMax = TimeSpan.FromSeconds(60);

    /// <summary>More than OpenTelemetry's default bound of 2,000 series per metric.</summary>
    private const int MadeUpPurchases = 2_100;

    private const int FloodLoops = 8;

    [Fact]
    public async Task Silo_serves_the_ledger_and_orleans_metrics_in_prometheus_text_on_its_metrics_port()
    {
        var clusterId = $"silo-metrics-{Guid.NewGuid():N}";
        var port = SiloProcess.FreePort();
        var sale = new ProgramMonth($"m{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(DateTimeOffset.UtcNow));
        var policy = new Policy(DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, 200_000, 10_000, new ChannelAmounts(1_000_000, 0));
        await using var silo = await SiloProcess.StartAsync(
            SiloProcessTests.ConnectionString, clusterId, settings: [("Ledger__Silo__MetricsPort", port.ToString(CultureInfo.InvariantCulture))]);
        using var client = await SiloProcessTests.StartClientAsync(clusterId);
        var grains = client.Services.GetRequiredService<IClusterClient>();
        await grains.GetGrain<ICityMonthGrain>(sale.Key).SetPolicyAsync(policy);
        var bought = await grains.GetGrain<ICitizenGrain>("citizen-1")
            .PurchaseAsync(new PurchaseRequest(sale, "citizen-1", "key-1", Channel.Mobile, 200_000));
        Assert.Equal(PurchaseOutcome.Confirmed, bought.Outcome);

        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://localhost:{port}/metrics");

        string[] ours = [$"program=\"{sale.ProgramId}\"", $"month=\"{sale.Month}\""];
        Assert.True(1 == Sample(text, "ledger_purchases_total", [.. ours, "outcome=\"Confirmed\""]), text);
        Assert.True(800_000 == Sample(text, "ledger_cap_remaining", [.. ours, "channel=\"mobile\""]), text);
        Assert.True(0 == Sample(text, "ledger_cap_remaining", [.. ours, "channel=\"paper\""]), text);
        Assert.True(0 == Sample(text, "ledger_queue_depth", ours), text);
        Assert.True(1 == Sample(text, "ledger_commit_batch_size_count", ours), text);
        Assert.True(1 == Sample(text, "ledger_commit_batch_size_sum", ours), text);
        Assert.True(1 == Sample(text, "ledger_commit_duration_seconds_count", ours), text);
        Assert.Matches(OrleansMetric(), text);
        // The shared service defaults name the silo's resource, as they name the gateway's (ServiceDefaultsTests).
        Assert.Matches(SiloTargetInfo(), text);
        Assert.Equal(0, await silo.TerminateAsync(ShutdownTimeoutMax));
    }

    [Fact]
    public async Task Purchases_at_program_months_with_no_policy_leave_room_for_a_real_sales_series()
    {
        var clusterId = $"silo-metrics-{Guid.NewGuid():N}";
        var port = SiloProcess.FreePort();
        var month = ProgramMonth.MonthOf(DateTimeOffset.UtcNow);
        var sale = new ProgramMonth($"m{Guid.NewGuid():N}"[..20], month);
        var policy = new Policy(DateTimeOffset.UtcNow.AddMinutes(-1), 1_000, 200_000, 10_000, new ChannelAmounts(1_000_000, 0));
        await using var silo = await SiloProcess.StartAsync(
            SiloProcessTests.ConnectionString, clusterId, settings: [("Ledger__Silo__MetricsPort", port.ToString(CultureInfo.InvariantCulture))]);
        using var client = await SiloProcessTests.StartClientAsync(clusterId);
        var grains = client.Services.GetRequiredService<IClusterClient>();
        var flooder = grains.GetGrain<ICitizenGrain>("citizen-flood");
        var next = -1;
        var answers = new PurchaseOutcome[MadeUpPurchases];
        // One citizen, a few purchases at a time (fewer than its grain takes at once), each at a program-month of its own.
        await Task.WhenAll(Enumerable.Range(0, FloodLoops).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < MadeUpPurchases; i = Interlocked.Increment(ref next))
            {
                var madeUp = new ProgramMonth($"x{Guid.NewGuid():N}"[..20], month);
                answers[i] = (await flooder.PurchaseAsync(new PurchaseRequest(madeUp, "citizen-flood", "k", Channel.Mobile, 10_000))).Outcome;
            }
        }));

        await grains.GetGrain<ICityMonthGrain>(sale.Key).SetPolicyAsync(policy);
        var bought = await grains.GetGrain<ICitizenGrain>("citizen-1")
            .PurchaseAsync(new PurchaseRequest(sale, "citizen-1", "key-1", Channel.Mobile, 200_000));
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://localhost:{port}/metrics");

        Assert.All(answers, outcome => Assert.Equal(PurchaseOutcome.NotFound, outcome));
        Assert.Equal(PurchaseOutcome.Confirmed, bought.Outcome);
        Assert.True(1 == Sample(text, "ledger_purchases_total", [$"program=\"{sale.ProgramId}\"", "outcome=\"Confirmed\""]), text);
        Assert.True(MadeUpPurchases == Sample(text, "ledger_purchases_total", ["outcome=\"NotFound\""]), text);
        Assert.DoesNotContain("program=\"x", text, StringComparison.Ordinal);
        Assert.Equal(0, await silo.TerminateAsync(ShutdownTimeoutMax));
    }

    /// <summary>The value of the one sample of <paramref name="name"/> that has all the labels; null if none.</summary>
    private static double? Sample(string text, string name, string[] labels) =>
        text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(line.Contains))
            .Select(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .Cast<double?>()
            .SingleOrDefault();

    [GeneratedRegex(@"(?m)^orleans_\w+")]
    private static partial Regex OrleansMetric();

    [GeneratedRegex("(?m)^target_info\\{service_name=\"ledger-silo\",service_instance_id=\"[0-9a-f-]{36}\",telemetry_sdk_name=\"opentelemetry\"")]
    private static partial Regex SiloTargetInfo();
}
