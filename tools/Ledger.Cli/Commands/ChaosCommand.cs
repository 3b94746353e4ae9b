using System.Globalization;
using System.Text.Json;
using Ledger.Chaos;
using Ledger.Cli.Chaos;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>chaos</c>: an open run of buyers against a fresh sale; once it sells, the fault strikes where the sale's
/// program-month grain lives (kill -9 of its silo, or PostgreSQL crashed), is repaired, and the ledger is checked
/// against every answer the buyers got. payments: the sale takes payment; the bank turns unreliable and goes down
/// as the hot silo is killed, and every payer's money is checked against their vouchers once every hold has ended.
/// </summary>
public static class ChaosCommand
{
    public sealed record Arguments(
        string Fault, int? Rate, int? Before, int? Cap, int? After, int? Hold, int? HoldSeconds, string? Json);

    public static async Task<int> RunAsync(Clone clone, Arguments args)
    {
        if (args.HoldSeconds is not null && args.Fault != "payments")
        {
            throw UserError.BadUsage("--hold-seconds needs --fault payments");
        }

        var pg = clone.RunningPostgres("./ledger up --silos 3");
        var connection = pg.ConnectionString("ledger");
        var silos = clone.Silos.Running().Count;
        var hold = args.Hold is { } h ? TimeSpan.FromSeconds(h) : (TimeSpan?)null;
        var defaults = ChaosOptions.Default;
        var options = defaults with
        {
            ArrivalsPerSecond = args.Rate ?? defaults.ArrivalsPerSecond,
            ConfirmationsBeforeFault = args.Before ?? defaults.ConfirmationsBeforeFault,
            CapPurchases = args.Cap ?? defaults.CapPurchases,
            LoadAfterRepair = args.After is { } after ? TimeSpan.FromSeconds(after) : defaults.LoadAfterRepair,
        };
        using var sandbox = new SandboxControl(new Uri(clone.Settings.PaymentsUrl + "/"));
        IChaosFault fault;
        switch (args.Fault)
        {
            case "silo":
                NeedsAnotherSilo(silos);
                fault = new SiloKillFault(clone.Silos, silos, connection, hold);
                break;
            case "database":
                if (silos < 1)
                {
                    throw new UserError("no silo is running: run ./ledger up --silos 3");
                }

                fault = new DatabaseCrashFault(pg, hold ?? DatabaseCrashFault.DefaultHold);
                break;
            default:
                NeedsAnotherSilo(silos);
                if (clone.Payments.Pid() is null)
                {
                    throw new UserError("the payment sandbox is not running: run ./ledger up --silos 3");
                }

                fault = new PaymentsFault(new SiloKillFault(clone.Silos, silos, connection, null), sandbox, hold ?? PaymentsFault.DefaultBankDown);
                options = options with { Payments = new ChaosPayments(sandbox.BaseAddress, args.HoldSeconds ?? ChaosPayments.DefaultHoldSeconds) };
                break;
        }

        static void Say(string line) => Console.WriteLine($"chaos: {line}");
        var settings = clone.Settings;
        using var client = await ChaosClient.StartAsync(connection, settings.ClusterId, settings.ServiceId);
        using var verdictClient = await ChaosClient.StartAsync(connection, settings.ClusterId, settings.ServiceId, ChaosClient.VerdictResponseTimeout);
        var run = new ChaosRun(
            client.Services.GetRequiredService<IClusterClient>(), connection, options, Say, verdictClient.Services.GetRequiredService<IClusterClient>());
        var report = await run.RunAsync(fault);
        foreach (var line in report.Describe())
        {
            Say(line);
        }

        if (args.Json is { } file)
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            Say($"report written to {file}");
        }

        Say(string.Create(CultureInfo.InvariantCulture, $"exit {(report.Passed ? 0 : 1)}"));
        return report.Passed ? 0 : 1;
    }

    private static void NeedsAnotherSilo(int silos)
    {
        if (silos < 2)
        {
            throw new UserError($"killing a silo needs another to fail over to: run ./ledger up --silos 3 (running: {silos})");
        }
    }
}
