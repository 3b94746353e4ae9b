using System.Globalization;

namespace Ledger.Chaos;

/// <summary>
/// <c>--connection CS --cluster ID [--service ID] --fault NAME --inject CMD --repair CMD [--hold SECONDS]
/// [--payments URL [--hold-seconds N]] [--rate N] [--before N] [--cap N] [--after SECONDS] [--json FILE]</c>.
/// </summary>
public sealed record ChaosCommandLine(
    string ConnectionString, string ClusterId, string ServiceId, IChaosFault Fault, ChaosOptions Options, string? JsonFile)
{
    public const string Usage =
        "usage: Chaos --connection CS [--cluster ID] [--service ID] --fault NAME --inject CMD --repair CMD [--hold SECONDS]\n" +
        "             [--payments SANDBOX_URL [--hold-seconds SECONDS]]\n" +
        "             [--rate BUYERS_PER_SECOND] [--before CONFIRMATIONS] [--cap PURCHASES] [--after SECONDS] [--json FILE]\n" +
        "  The fault strikes once --before purchases are confirmed; --inject gets the hot silo in LEDGER_CHAOS_SILO_HOST/PORT.\n" +
        "  Without --hold, the repair comes as soon as purchases are answered again (a killed silo); with it, after that long.\n" +
        "  With --payments, the sale takes payment from the sandbox there (holds of --hold-seconds, default 60), the bank turns\n" +
        "  unreliable and goes down for --hold seconds (default 10) as --inject strikes, and every payer's money is checked.";

    public static ChaosCommandLine Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"'{args[i]}' is not an option with a value.");
            }

            values[args[i]] = args[i + 1];
        }

        string? Text(string name) => values.Remove(name, out var value) ? value : null;
        string Required(string name) => Text(name) ?? throw new ArgumentException($"{name} is required.");
        int? Number(string name) => Text(name) is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{name} takes a positive whole number, not '{text}'.")
            : null;

        var defaults = ChaosOptions.Default;
        var connection = Text("--connection") ?? Environment.GetEnvironmentVariable("ConnectionStrings__Ledger")
            ?? throw new ArgumentException("--connection (or ConnectionStrings__Ledger) is required.");
        var cluster = Text("--cluster") ?? "ledger";
        var service = Text("--service") ?? cluster;
        var hold = Number("--hold") is { } h ? TimeSpan.FromSeconds(h) : (TimeSpan?)null;
        var sandbox = Text("--payments") is { } url
            ? Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : throw new ArgumentException($"--payments takes a URL, not '{url}'.")
            : null;
        var holdSeconds = Number("--hold-seconds");
        if (holdSeconds is not null && sandbox is null)
        {
            throw new ArgumentException("--hold-seconds needs --payments.");
        }

        var command = new CommandFault(Required("--fault"), Required("--inject"), Required("--repair"), sandbox is null ? hold : null);
        IChaosFault fault = sandbox is null
            ? command
            : new PaymentsFault(command, new SandboxControl(sandbox), hold ?? PaymentsFault.DefaultBankDown);
        var options = defaults with
        {
            Payments = sandbox is null ? null : new ChaosPayments(sandbox, holdSeconds ?? ChaosPayments.DefaultHoldSeconds),
            ArrivalsPerSecond = Number("--rate") ?? defaults.ArrivalsPerSecond,
            ConfirmationsBeforeFault = Number("--before") ?? defaults.ConfirmationsBeforeFault,
            CapPurchases = Number("--cap") ?? defaults.CapPurchases,
            LoadAfterRepair = Number("--after") is { } after ? TimeSpan.FromSeconds(after) : defaults.LoadAfterRepair,
        };
        var json = Text("--json");
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option {values.Keys.First()}.");
        }

        return new ChaosCommandLine(connection, cluster, service, fault, options, json);
    }
}
