using System.Text.Json;
using Ledger.Grains.Tests;
using Ledger.Testing;

namespace Ledger.Cli.Tests;

/// <summary>
/// status --json and scale, on a PostgreSQL of the test's own (started by the tool's own code) and stand-in silos
/// (LEDGER_SILO_CMD), so no build is needed.
/// </summary>
[Trait("Category", TestCategories.Process)]
public sealed class CliScaleTests : IAsyncLifetime
{
    private static readonly string[] TopLevel = ["database", "gateway", "payments", "cluster", "service", "silos", "members"];
    private static readonly string[] SiloKeys = ["index", "state", "pid", "siloPort", "gatewayPort", "metricsPort", "metrics", "status", "log"];
    private readonly CliProcess cli = new();
    private Postgres? postgres;

    public Task InitializeAsync()
    {
        var settings = LedgerSettings.Read(name => cli.Environment.GetValueOrDefault(name));
        postgres = Postgres.Install(settings, LedgerPaths.Find(settings));
        postgres.Start();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Scale_starts_and_stops_silos_and_status_json_shows_each_pid()
    {
        var up = await cli.RunAsync("scale", "3");
        Assert.True(up.ExitCode == 0, up.ToString());

        var three = await StatusAsync();
        var silos = three.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal(TopLevel, three.EnumerateObject().Select(p => p.Name));
        Assert.Equal([1, 2, 3], silos.Select(s => s.GetProperty("index").GetInt32()));
        Assert.All(silos, s => Assert.Equal(SiloKeys, s.EnumerateObject().Select(p => p.Name)));
        Assert.All(silos, s => Assert.Equal("running", s.GetProperty("state").GetString()));
        var pids = silos.Select(s => s.GetProperty("pid").GetInt32()).ToList();
        Assert.All(pids, pid => Assert.True(Posix.IsAlive(pid)));
        Assert.Equal("running", three.GetProperty("database").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, three.GetProperty("gateway").GetProperty("pid").ValueKind);

        var down = await cli.RunAsync("scale", "1");
        Assert.True(down.ExitCode == 0, down.ToString());

        var one = await StatusAsync();
        Assert.Equal([pids[0]], one.GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("pid").GetInt32()));
        Assert.False(Posix.IsAlive(pids[1]));
        Assert.False(Posix.IsAlive(pids[2]));
    }

    [Fact]
    public async Task A_silo_that_died_is_shown_as_died_and_scale_starts_it_again()
    {
        Assert.Equal(0, (await cli.RunAsync("scale", "2")).ExitCode);
        var pid = (await StatusAsync()).GetProperty("silos")[1].GetProperty("pid").GetInt32();
        Posix.Signal(pid, Posix.SigKill);
        await Eventually.UntilAsync(() => Task.FromResult(Posix.IsAlive(pid)), alive => !alive, TimeSpan.FromSeconds(10));

        var status = await cli.RunAsync("status", "--json");
        var died = JsonDocument.Parse(status.Output).RootElement.GetProperty("silos")[1];
        var again = await cli.RunAsync("scale", "2");

        Assert.Equal(3, status.ExitCode);
        Assert.Equal("died", died.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, died.GetProperty("pid").ValueKind);
        Assert.Contains("silo 2 starting", again.Output, StringComparison.Ordinal);
        Assert.Equal("running", (await StatusAsync()).GetProperty("silos")[1].GetProperty("state").GetString());
    }

    public async Task DisposeAsync()
    {
        await cli.RunAsync("scale", "0");
        postgres?.Stop();
        cli.Dispose();
    }

    private async Task<JsonElement> StatusAsync()
    {
        var result = await cli.RunAsync("status", "--json");
        // Not everything runs (no gateway): exit 3, and the JSON all the same.
        Assert.True(result.ExitCode == 3, result.ToString());
        return JsonDocument.Parse(result.Output).RootElement;
    }
}
