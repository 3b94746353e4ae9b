namespace Ledger.Bench;

/// <summary>
/// One run of a scenario against a driver: its policies set, every citizen's plan with a line of progress a second,
/// then the invariants read.
/// </summary>
public static class ScenarioRun
{
    /// <param name="check">Reads the invariants after the run; null for a floor, which writes nothing.</param>
    /// <param name="title">The progress lines' title; the driver's name unless given.</param>
    public static async Task<RunReport> RunAsync(
        ILedgerDriver driver, Scenario scenario, LoadShape shape, Func<Measurements, Task<InvariantReport>>? check, string? title = null)
    {
        await driver.SetUpAsync(scenario);
        var measurements = await LiveProgress.RunAsync(title ?? driver.Name, scenario.Citizens.Count,
            onSecond => LoadRunner.RunAsync(driver, scenario, shape, onSecond));
        var invariants = check is null ? null : await check(measurements);
        return RunReport.From(driver.Name, scenario, shape, measurements, invariants);
    }
}
