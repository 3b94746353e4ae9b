using System.Globalization;
using Ledger.Chaos;
using Microsoft.Extensions.DependencyInjection;

// ./ledger chaos runs this against the cluster ./ledger up started; see ChaosCommandLine for the arguments.
ChaosCommandLine commandLine;
try
{
    commandLine = ChaosCommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"chaos: {e.Message}\n{ChaosCommandLine.Usage}");
    return 2;
}

void Say(string line) => Console.WriteLine($"chaos: {line}");

using var client = await ChaosClient.StartAsync(commandLine.ConnectionString, commandLine.ClusterId, commandLine.ServiceId);
using var verdictClient = await ChaosClient.StartAsync(
    commandLine.ConnectionString, commandLine.ClusterId, commandLine.ServiceId, ChaosClient.VerdictResponseTimeout);
var run = new ChaosRun(
    client.Services.GetRequiredService<IClusterClient>(), commandLine.ConnectionString, commandLine.Options, Say,
    verdictClient.Services.GetRequiredService<IClusterClient>());
var report = await run.RunAsync(commandLine.Fault);
foreach (var line in report.Describe())
{
    Say(line);
}

if (commandLine.JsonFile is { } file)
{
    await File.WriteAllTextAsync(file, System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    Say($"report written to {file}");
}

Say(string.Create(CultureInfo.InvariantCulture, $"exit {(report.Passed ? 0 : 1)}"));
return report.Passed ? 0 : 1;
