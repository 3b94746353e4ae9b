using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using Ledger.Cli.Commands;

namespace Ledger.Cli;

/// <summary>The commands, their options and their help: one parser for everything ./ledger takes.</summary>
public static class LedgerCommandLine
{
    /// <summary>The commands whose arguments are not parsed here but handed on whole (bench: the benchmark's own parser).</summary>
    public const string Bench = "bench";

    public static Command Build()
    {
        var root = new Command("./ledger", "Runs Ledger on this machine: a private PostgreSQL, the payment sandbox, the silos and the HTTP gateway.");
        var help = new HelpOption { Recursive = true };
        help.Action = new SettingsHelpAction((HelpAction)help.Action!);
        root.Options.Add(help);
        root.Subcommands.Add(Up());
        root.Subcommands.Add(Down());
        root.Subcommands.Add(Status());
        root.Subcommands.Add(Scale());
        root.Subcommands.Add(Test());
        root.Subcommands.Add(new Command(Bench,
            "the open-run benchmark (bench/, docs/BENCHMARKS.md) against the ledger database; every argument goes to it: "
            + "./ledger bench --help lists its scenarios and options"));
        root.Subcommands.Add(Chaos());
        root.Subcommands.Add(Psql());
        root.Subcommands.Add(Token());
        root.Subcommands.Add(Help(root));
        return root;
    }

    private static Command Up()
    {
        var silos = Count("--silos", 1, "how many silos (default: as many as were up, at least 1); silo i takes the bases' ports + i-1");
        var command = new Command("up",
            "start a private PostgreSQL (127.0.0.1:LEDGER_PG_PORT), build, and start the payment sandbox, the silos and the gateway "
            + "(its dashboard at /dashboard/)") { silos };
        command.SetAction((result, _) => UpCommand.RunAsync(NewClone(), result.GetValue(silos)));
        return command;
    }

    private static Command Down()
    {
        var command = new Command("down",
            "stop the gateway, the silos and the payment sandbox (SIGTERM, LEDGER_STOP_TIMEOUT of grace, then SIGKILL) and PostgreSQL (data kept)");
        command.SetAction(_ => DownCommand.Run(NewClone()));
        return command;
    }

    private static Command Status()
    {
        var json = new Option<bool>("--json") { Description = "the same as JSON (each silo's pid, ports and membership status)" };
        var command = new Command("status",
            "PostgreSQL, the gateway, the payment sandbox and each silo (pid, ports, metrics, membership status); exits 0 only if "
            + "all run (at least one silo) and no silo died unstopped, else 3") { json };
        command.SetAction(result => StatusCommand.Run(NewClone(), result.GetValue(json)));
        return command;
    }

    private static Command Scale()
    {
        var count = new Argument<int>("N")
        {
            Description = $"the number of silos, 0 to {LedgerSettings.SilosMax}",
            CustomParser = result => ParseCount(result, 0),
        };
        var command = new Command("scale",
            "start silos, or stop the extra ones one at a time (SIGTERM: their grains move to the others) while the system serves") { count };
        command.SetAction((result, _) => ScaleCommand.RunAsync(NewClone(), result.GetValue(count)));
        return command;
    }

    private static Command Test()
    {
        var fast = new Option<bool>("--fast")
        {
            Description = $"leave out the categories {string.Join(", ", TestCommand.FastExcluded)} (about a minute; combines with --filter)",
        };
        var filter = new Option<string>("--filter") { Description = "dotnet test's filter expression", HelpName = "EXPR" };
        var command = new Command("test",
            "ensure PostgreSQL, recreate the database ledger_test, install Chromium if missing, and run dotnet test Ledger.sln; "
            + "other arguments go to dotnet test") { fast, filter };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(result => TestCommand.Run(NewClone(), result.GetValue(fast), result.GetValue(filter), [.. result.UnmatchedTokens]));
        return command;
    }

    private static Command Chaos()
    {
        var fault = new Option<string>("--fault")
        {
            Description = "silo: kill -9 of the silo hosting the sale; database: PostgreSQL crashed; payments: the silo killed while the "
                + "bank is unreliable (10% declines, 10% answers lost, 5-5000 ms) and then down for --hold seconds",
            DefaultValueFactory = _ => "silo",
        };
        fault.AcceptOnlyFromAmong("silo", "database", "payments");
        var rate = Positive("--rate", "new buyers a second (default 200)", "BUYERS/S");
        var before = Positive("--before", "the fault strikes once this many purchases are confirmed (default 500)", "CONFIRMATIONS");
        var cap = Positive("--cap", "the sale's cap, in purchases (default 1000000)", "PURCHASES");
        var after = Positive("--after", "seconds buyers keep arriving after the repair (default 3)", "SECONDS");
        var hold = Positive("--hold", "seconds the fault is held before the repair (database: 5; payments: the bank down, 10; "
            + "silo: none, repaired once purchases are answered again)", "SECONDS");
        var holdSeconds = Positive("--hold-seconds", "payments: how long each hold may stay open (default 60)", "SECONDS");
        var json = new Option<string>("--json") { Description = "also write the report to this file", HelpName = "FILE" };
        var command = new Command("chaos",
            "the failover drill against ./ledger up --silos 3: under an open run of buyers the fault strikes, is repaired, and the "
            + "ledger is checked against every answer (exit 0 = PASS)") { fault, rate, before, cap, after, hold, holdSeconds, json };
        command.SetAction((result, _) => ChaosCommand.RunAsync(NewClone(), new ChaosCommand.Arguments(
            result.GetValue(fault)!, result.GetValue(rate), result.GetValue(before), result.GetValue(cap), result.GetValue(after),
            result.GetValue(hold), result.GetValue(holdSeconds), result.GetValue(json))));
        return command;
    }

    private static Command Psql()
    {
        var command = new Command("psql", "psql on the ledger database as the ledger role; other arguments go to psql");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(result => PsqlCommand.Run(NewClone(), [.. result.UnmatchedTokens]));
        return command;
    }

    private static Command Token()
    {
        var sub = new Option<string>("--sub") { Description = "the citizen id (required): 1 to 64 of A-Z, a-z, 0-9, _ and -", HelpName = "ID" };
        var role = new Option<string[]>("--role") { Description = "admin or teller (repeat for both)", HelpName = "admin|teller" };
        var birthYear = new Option<string>("--birth-year") { Description = "the birthYear claim, for a policy's cohorts", HelpName = "Y" };
        var hours = new Option<string>("--hours")
        {
            Description = $"the token's lifetime (default {TokenCommand.HoursDefault}; at most Ledger__Auth__TokenLifetimeMaxHours)",
            HelpName = "N",
        };
        var command = new Command("token", "print a token for the gateway, signed with the key ./ledger up gives it") { sub, role, birthYear, hours };
        command.SetAction(result =>
        {
            var settings = LedgerSettings.Read();
            try
            {
                return TokenCommand.Run(TokenCommand.Configuration(settings, LedgerPaths.Find(settings)),
                    result.GetValue(sub), result.GetValue(role) ?? [], result.GetValue(birthYear), result.GetValue(hours), Console.Out);
            }
            catch (InvalidOperationException e)
            {
                // A signing key or lifetime cap the gateway would refuse: its message names the setting.
                throw UserError.BadUsage(e.Message);
            }
        });
        return command;
    }

    private static Command Help(Command root)
    {
        var name = new Argument<string?>("COMMAND") { Description = "the command to explain", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "this text, or a command's (help COMMAND)") { name };
        command.SetAction(result => result.GetValue(name) is Bench
            ? BenchCommand.Run(NewClone(), ["--help"])
            : root.Parse(result.GetValue(name) is { } target ? [target, "--help"] : ["--help"]).Invoke());
        return command;
    }

    private static Clone NewClone() => new(LedgerSettings.Read());

    private static Option<int?> Count(string name, int min, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => ParseCount(result, min),
    };

    private static int ParseCount(ArgumentResult result, int min)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= LedgerSettings.SilosMax)
        {
            return n;
        }

        result.AddError($"the number of silos must be a whole number from {min} to {LedgerSettings.SilosMax} (got '{text}')");
        return 0;
    }

    private static Option<int?> Positive(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                return n;
            }

            result.AddError($"{name} takes a positive whole number, not '{text}'");
            return null;
        },
    };

    /// <summary>The generated help, followed by every setting the tool reads and its default.</summary>
    private sealed class SettingsHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        private static readonly HashSet<string> Secret = ["LEDGER_PG_PASSWORD", "Ledger__Auth__SigningKey", "Ledger__Dashboard__OperatorPassword"];

        public override int Invoke(ParseResult parseResult)
        {
            inner.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Settings (environment variables) [default]:");
            var width = LedgerSettings.Catalog.Max(s => s.Name.Length) + 2;
            foreach (var setting in LedgerSettings.Catalog)
            {
                var now = Environment.GetEnvironmentVariable(setting.Name) is { Length: > 0 } value && !Secret.Contains(setting.Name)
                    ? $" (now {value})"
                    : "";
                output.WriteLine($"  {setting.Name.PadRight(width)}{setting.Description} [{setting.Default}]{now}");
            }

            output.WriteLine();
            output.WriteLine("State: .ledger/ in the clone (logs/, run/, pg/, signing-key, operator-password); docs/OPERATIONS.md for the rest.");
            return 0;
        }
    }
}
