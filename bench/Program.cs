using System.Globalization;
using Ledger.Bench;
using Ledger.Grains;
using Npgsql;
using Spectre.Console;

// The open-run benchmark (issue 4): a scenario's citizens against one mode (grains in-process, the gateway
// over HTTP, or the conventional baseline), then the baseline on the same database in the same invocation,
// so every report carries the ratio; in http mode first the gateway's no-op ceiling when it serves one.
// After each run the invariants are read from the database; a broken one fails the run. Not a test.
// The paths comparison, the storm (the 09:00 crowd on new connections against a running gateway), the ticket check,
// the flood (made-up ids beside a buyer) and the payment comparison (the two-phase purchase beside the one-phase one)
// are their own runs.
if (BenchCommandLine.Parse(args, Console.Out, Console.Error, out var exitCode) is not { } options)
{
    // Help, or a command line refused with what is wrong.
    return exitCode;
}

if (Console.IsOutputRedirected)
{
    // Tables in a log or a test's output: wide enough not to wrap.
    AnsiConsole.Profile.Width = 200;
}

if (options.Scenario == "paths")
{
    return await PathsComparison.RunAsync(options, args);
}

if (options.Payment)
{
    return await PaymentComparison.RunAsync(options, args);
}

if (options.Scenario == "storm")
{
    return await StormRun.RunAsync(options, args);
}

if (options.Scenario == "ticket-check")
{
    return await TicketCheckRun.RunAsync(options, args);
}

if (options.Scenario == "flood")
{
    return await FloodRun.RunAsync(options, args);
}

var scenario = Scenario.Create(options.Scenario, options.Citizens, options.Supply);
var shape = new LoadShape(options.Concurrency, options.RampSeconds, options.Rate);
// The baseline's statements are prepared, as the ledger's are.
var pool = new NpgsqlConnectionStringBuilder(options.ConnectionString)
{
    MaxPoolSize = options.BaselineConcurrency + 4,
    MaxAutoPrepare = LedgerSiloBuilderExtensions.PreparedStatementsMax,
};
await using var data = NpgsqlDataSource.Create(pool.ConnectionString);
var load = (options.Rate, options.PreQueueMinutes) switch
{
    (_, { } minutes) => string.Create(CultureInfo.InvariantCulture,
        $"everyone arriving in a {minutes}-minute pre-queue, then coming back as told, on {options.Connections} connections"),
    ({ } rate, _) => string.Create(CultureInfo.InvariantCulture, $"open loop at {rate:F0} requests/s"),
    _ => string.Create(CultureInfo.InvariantCulture, $"closed loop, {options.Concurrency} in flight, ramp {options.RampSeconds} s"),
};
AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{scenario.Name}: {scenario.Citizens.Count} citizens, {scenario.Sales.Count} program-months (run {scenario.RunId}), " +
    $"{scenario.RequestsPerCitizen:F2} requests a citizen; mode {options.Mode}, {load}"));

// The grain-hops floor's citizens: enough for a steady rate, few enough that its probe grains (held by the silo
// through the main run) add little to the silo's memory figure; and those of its warm-up, others (none in a
// run of 50,000 citizens or fewer).
const int GrainHopsCitizensMax = 50_000;
const int GrainHopsWarmUpCitizens = 10_000;
RunReport? noOp = null;
RunReport? grainHops = null;
CommitProfile? commits = null;
RunReport run;
switch (options.Mode)
{
    case "grains":
        await using (var silo = await SiloHost.StartAsync(options.ConnectionString))
        {
            using var watch = await CommitWatch.StartAsync(data);
            run = await ScenarioRun.RunAsync(new GrainsDriver(silo.Grains), scenario, shape, LedgerCheck);
            commits = await watch.StopAsync();
        }

        break;
    case "http":
        var minter = TokenMinter.FromEnvironment();
        await using (var probe = new HttpDriver(options.Url, options.Connections, minter, GatewayFloor.NoOp))
        {
            if (await probe.HasFloorAsync())
            {
                // The ceiling is a capacity: measured closed-loop, whatever the main run's shape, on a second pass:
                // the first warms the gateway (JIT, connections, token caches), as the no-op runs warm it for the main run.
                var everyoneOnce = scenario.OnePurchaseEach();
                var closed = new LoadShape(options.Concurrency, 0, null);
                await ScenarioRun.RunAsync(probe, everyoneOnce, closed, null);
                noOp = await ScenarioRun.RunAsync(probe, everyoneOnce, closed, null);
                // Then the same with the path's two grain calls to probe grains. Measured on citizens of its own,
                // each meeting a new probe grain as each citizen's first purchase meets a new citizen grain, after a
                // warm-up on other citizens (its connections, the endpoint's JIT). The probe grains stay in the
                // silo's memory during the run.
                await using var hops = new HttpDriver(options.Url, options.Connections, minter, GatewayFloor.GrainHops);
                if (await hops.HasFloorAsync())
                {
                    if (scenario.OnePurchaseEach(GrainHopsCitizensMax, GrainHopsWarmUpCitizens) is { Citizens.Count: > 0 } warmUp)
                    {
                        await ScenarioRun.RunAsync(hops, warmUp, closed, null);
                    }

                    grainHops = await ScenarioRun.RunAsync(hops, scenario.OnePurchaseEach(0, GrainHopsCitizensMax), closed, null);
                }
            }
            else
            {
                AnsiConsole.WriteLine("The gateway serves no no-op purchase: start it with LEDGER_BENCH_NOOP=1 ./ledger up to measure its ceiling.");
            }
        }

        if (options.PreQueueMinutes is { } preQueue)
        {
            // The sales open that long from now, after the floors: the run starts with the pre-queue.
            scenario = scenario.OpeningIn(TimeSpan.FromMinutes(preQueue));
            shape = shape with { OpensAt = scenario.OpensAt };
        }

        run = await ScenarioRun.RunAsync(new HttpDriver(options.Url, options.Connections, minter), scenario, shape, LedgerCheck);
        break;
    default:
        run = await ScenarioRun.RunAsync(new BaselineDriver(data), scenario, BaselineShape(), BaselineCheck);
        break;
}

// The baseline has no waiting room: a pre-queue run has none to compare with.
var baseline = options.Mode != "baseline" && options.Baseline && options.PreQueueMinutes is null
    ? await ScenarioRun.RunAsync(new BaselineDriver(data), scenario, BaselineShape(), BaselineCheck)
    : null;
var report = BenchReport.Create(args, run, baseline, noOp, grainHops, commits);
ConsoleReport.Write(report);
await JsonReport.WriteAsync(options.JsonFile, report);

if (options.ChartPath is { } chart)
{
    ChartWriter.Write(chart, report);
    AnsiConsole.WriteLine($"Chart: {chart}");
}

return report.InvariantsHold ? 0 : 1;

// The baseline always runs closed-loop, as many transactions at once as its connection pool holds: past that
// it would only queue for connections. Its ramp is the mode's.
LoadShape BaselineShape() => new(options.BaselineConcurrency, options.RampSeconds, null);

Task<InvariantReport> LedgerCheck(Measurements measurements) => LedgerInvariants.CheckAsync(data, scenario, measurements.Seen);

Task<InvariantReport> BaselineCheck(Measurements measurements) => BaselineInvariants.CheckAsync(data, scenario, measurements.Seen);
