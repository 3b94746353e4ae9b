using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// The bench's command line, on System.CommandLine: every flag with its help, choices and numbers checked as they are
/// read, and the rules that tie flags together. A wrong command line is answered on standard error with exit code 2.
/// </summary>
public static class BenchCommandLine
{
    /// <summary>The exit code of a command line the bench refuses.</summary>
    public const int UsageExitCode = 2;

    private const string DefaultConnection = "Host=127.0.0.1;Port=54329;Database=ledger;Username=ledger;Password=ledger";
    private const string DefaultUrl = "http://127.0.0.1:5080";

    private static readonly string[] OnlyPaths = ["citizen", "direct", "baseline", "append", "activation"];

    private static readonly Option<string> Scenario = Choice(
        "--scenario", BenchOptions.Scenarios,
        $"The workload (default {BenchOptions.Scenarios[0]}; single-hot with --payment). paths: the citizen grain, direct and baseline " +
        "paths side by side; storm: the 09:00 crowd on a new connection per attempt, against the gateway at --url; ticket-check: a " +
        "queued buyer's retry against the gateway's no-op ceiling (LEDGER_BENCH_NOOP=1); flood: made-up ids beside a buyer.");

    private static readonly Option<string> Mode = Choice(
        "--mode", BenchOptions.Modes,
        $"Who serves the run (default {BenchOptions.Modes[0]}): grains in-process, the gateway at --url over HTTP, or the " +
        "conventional baseline. storm, ticket-check and flood always use the gateway.");

    private static readonly Option<int?> Citizens = Whole(
        "--citizens", 1,
        $"Citizens in the run (default 300,000; storm {StormRun.CitizensDefault:N0}; ticket-check: tickets taken, " +
        $"{TicketCheckRun.TicketsDefault:N0}; --payment: a round's, {PaymentComparison.CitizensDefault:N0}).");

    private static readonly Option<double?> Ramp = Number(
        "--ramp", "SECONDS", $"Seconds over which the citizens arrive (default 0: everyone at once; storm {StormRun.RampSecondsDefault}).");

    private static readonly Option<double?> Rate = Number(
        "--rate", "N",
        "Open loop: N requests a second offered whatever the answers (default off; 0 is off). " +
        $"flood: made-up ids a second ({FloodRun.FloodPerSecondDefault}).");

    private static readonly Option<int?> Concurrency = Whole(
        "--concurrency", 1, "Closed loop: citizens in flight (default 2,000; in http mode --connections).");

    private static readonly Option<int?> Connections = Whole(
        "--connections", 1, "HTTP connections to the gateway (default 256); storm: those of its closed-loop peak; flood: the flood's.");

    private static readonly Option<double?> Supply = Number(
        "--supply", "R", $"single-hot, nationwide and storm: the caps as a share of demand (storm {StormRun.SupplyDefault}).");

    private static readonly Option<string?> Url = Text(
        "--url", "URL", $"The gateway (default LEDGER_GATEWAY_URL, else {DefaultUrl}).");

    private static readonly Option<bool> NoBaseline = Flag("--no-baseline", "Skip the baseline run that follows the main one.");

    private static readonly Option<int?> BaselineConcurrency = Whole(
        "--baseline-concurrency", 1, "The baseline's transactions at once, and its connection pool (default 64).");

    private static readonly Option<string?> Json = Text("--json", "FILE", "Write the report as JSON to FILE.");

    private static readonly Option<string?> Chart = Text("--chart", "FILE", "Draw the run's chart to FILE (default: beside --json, as .png).");

    private static readonly Option<string?> Connection = Text(
        "--connection", "STRING", $"The PostgreSQL connection string (default ConnectionStrings__Ledger, else {DefaultConnection}).");

    private static readonly Option<int?> Purchases = Whole("--purchases", 1, "paths: purchases a path (default 100,000).");

    private static readonly Option<int?> Rounds = Whole(
        "--rounds", 1,
        $"paths: rounds (default 1); ticket-check: pairs of rounds ({TicketCheckRun.RoundPairsDefault}); --payment: pairs of rounds, " +
        $"A B B A ({PaymentComparison.RoundPairsDefault}); flood: pairs of a quiet and a flood round (1).");

    private static readonly Option<string> Only = Choice("--only", OnlyPaths, "paths: run this path alone.");

    private static readonly Option<int?> PreQueue = Whole(
        "--pre-queue", 1,
        "dec-2022 in http mode: the sales open MINUTES after the start, with a pre-queue as long that every citizen arrives in " +
        "(not with --rate or --ramp; no baseline).",
        "MINUTES");

    private static readonly Option<int?> Replay = Whole(
        "--replay", 1, $"ticket-check: the last N tickets replayed (default {TicketCheckRun.ReplayDefault:N0}).");

    private static readonly Option<double?> RoundSeconds = Number(
        "--round-seconds", "S",
        $"ticket-check: seconds a round (default {TicketCheckRun.RoundSecondsDefault}); flood: {FloodRun.RoundSecondsDefault}.");

    private static readonly Option<bool> Payment = Flag(
        "--payment",
        "The one-phase purchase and the two-phase one (payment by account, against a payment sandbox the bench starts) in " +
        "alternating rounds, each on a sale of its own (grains mode).");

    private static readonly Option<double?> BuyerRate = Number(
        "--buyer-rate", "N", $"flood: the buyer's purchases a second (default {FloodRun.BuyerPerSecondDefault}).");

    private static readonly Option<bool> Control = Flag(
        "--control", "flood: a third round a pair, the same flood with ids refused at the gateway's edge.");

    private static readonly RootCommand Root = CreateRoot();

    /// <summary>
    /// Reads the command line. Returns the options to run with; or null, with the exit code, when it was answered here:
    /// help on <paramref name="output"/> (0), or what is wrong on <paramref name="error"/> (<see cref="UsageExitCode"/>).
    /// </summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, TextWriter output, TextWriter error, out int exitCode)
    {
        var parsed = Root.Parse(args);
        var answer = new InvocationConfiguration { Output = output, Error = error };
        if (parsed.Action is HelpAction)
        {
            exitCode = parsed.Invoke(answer);
            return null;
        }

        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                error.WriteLine($"bench: {problem.Message}");
            }

            error.WriteLine("bench: see bench --help (./ledger bench --help) for every option.");
            exitCode = UsageExitCode;
            return null;
        }

        if (parsed.Action is not null)
        {
            // --version, and the parse diagram and completion directives.
            exitCode = parsed.Invoke(answer);
            return null;
        }

        exitCode = 0;
        return Read(parsed);
    }

    /// <summary>The help text, as <c>bench --help</c> writes it.</summary>
    public static string Help()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        Parse(["--help"], output, TextWriter.Null, out _);
        return output.ToString();
    }

    private static BenchOptions Read(ParseResult parsed)
    {
        var payment = parsed.GetValue(Payment);
        var scenario = parsed.GetValue(Scenario) ?? (payment ? "single-hot" : BenchOptions.Scenarios[0]);
        var storm = scenario == "storm";
        var ticketCheck = scenario == "ticket-check";
        var flood = scenario == "flood";
        var mode = parsed.GetValue(Mode) ?? BenchOptions.Modes[0];
        var connections = parsed.GetValue(Connections) ?? 256;
        return new BenchOptions(
            scenario,
            mode,
            parsed.GetValue(Citizens) ?? (storm ? StormRun.CitizensDefault
                : ticketCheck ? TicketCheckRun.TicketsDefault
                : payment ? PaymentComparison.CitizensDefault
                : 300_000),
            parsed.GetValue(Ramp) ?? (storm ? StormRun.RampSecondsDefault : 0),
            parsed.GetValue(Rate) is > 0 and var rate ? rate : null,
            parsed.GetValue(Concurrency) ?? (mode == "http" ? connections : 2_000),
            connections,
            parsed.GetValue(Supply) ?? (storm ? StormRun.SupplyDefault : null),
            parsed.GetValue(Url) ?? Environment.GetEnvironmentVariable("LEDGER_GATEWAY_URL") ?? DefaultUrl,
            !parsed.GetValue(NoBaseline),
            parsed.GetValue(BaselineConcurrency) ?? 64,
            parsed.GetValue(Json),
            parsed.GetValue(Chart),
            parsed.GetValue(Connection) ?? Environment.GetEnvironmentVariable("ConnectionStrings__Ledger") ?? DefaultConnection,
            parsed.GetValue(Purchases) ?? 100_000,
            parsed.GetValue(Rounds) ?? (ticketCheck ? TicketCheckRun.RoundPairsDefault : payment ? PaymentComparison.RoundPairsDefault : 1),
            parsed.GetValue(Only),
            parsed.GetValue(PreQueue),
            parsed.GetValue(Replay) ?? TicketCheckRun.ReplayDefault,
            parsed.GetValue(RoundSeconds) is > 0 and var roundSeconds ? roundSeconds
                : flood ? FloodRun.RoundSecondsDefault
                : TicketCheckRun.RoundSecondsDefault,
            payment,
            parsed.GetValue(BuyerRate) is > 0 and var buyerRate ? buyerRate : FloodRun.BuyerPerSecondDefault,
            parsed.GetValue(Control));
    }

    private static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "The open-run benchmark: a scenario's citizens against one mode, then the baseline on the same database, with the " +
            "invariants read from the database after each run (docs/BENCHMARKS.md).")
        {
            Scenario, Mode, Citizens, Ramp, Rate, Concurrency, Connections, Supply, Url, NoBaseline, BaselineConcurrency, Json, Chart,
            Connection, Purchases, Rounds, Only, PreQueue, Replay, RoundSeconds, Payment, BuyerRate, Control,
        };
        root.Validators.Add(CheckPayment);
        root.Validators.Add(CheckPreQueue);
        return root;
    }

    private static void CheckPayment(CommandResult command)
    {
        if (!command.GetValue(Payment))
        {
            return;
        }

        var scenario = command.GetValue(Scenario);
        if ((command.GetValue(Mode) ?? BenchOptions.Modes[0]) != "grains"
            || (scenario is not null && !PaymentComparison.Scenarios.Contains(scenario))
            || command.GetResult(PreQueue) is not null)
        {
            command.AddError(
                $"--payment is for --mode grains with --scenario {string.Join(", ", PaymentComparison.Scenarios)}, without --pre-queue.");
        }
    }

    private static void CheckPreQueue(CommandResult command)
    {
        if (command.GetResult(PreQueue) is not null && !command.GetValue(Payment)
            && ((command.GetValue(Scenario) ?? BenchOptions.Scenarios[0]) != "dec-2022" || command.GetValue(Mode) != "http"
                || command.GetResult(Rate) is not null || command.GetResult(Ramp) is not null))
        {
            command.AddError("--pre-queue is for --scenario dec-2022 --mode http, without --rate or --ramp: everyone arrives in the pre-queue.");
        }
    }

    private static Option<string> Choice(string name, string[] choices, string description)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join('|', choices),
            CustomParser = result => Token(result) is var text && choices.Contains(text)
                ? text
                : Refuse<string>(result, $"{name} takes {string.Join(", ", choices)}, not {text}."),
        };
        option.CompletionSources.Add(choices);
        return option;
    }

    private static Option<int?> Whole(string name, int min, string description, string helpName = "N") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => Token(result) is var text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : Refuse<int?>(result, $"{name} takes a whole number of at least {min}, not {text}."),
    };

    private static Option<double?> Number(string name, string helpName, string description) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => Token(result) is var text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) && n >= 0
            ? n
            : Refuse<double?>(result, $"{name} takes a number of at least 0, not {text}."),
    };

    private static Option<string?> Text(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName };

    private static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>The option's value as written; the option's arity admits exactly one.</summary>
    private static string Token(ArgumentResult result) => result.Tokens is [var token] ? token.Value : "";

    private static T? Refuse<T>(ArgumentResult result, string message)
    {
        // A missing value is already reported by the arity check, naming the option.
        if (result.Tokens.Count > 0)
        {
            result.AddError(message);
        }

        return default;
    }
}
