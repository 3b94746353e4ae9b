using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// The command line. <c>--scenario dec-2022|single-hot|nationwide|paths|storm|ticket-check</c> (default dec-2022),
/// <c>--mode grains|http|baseline</c> (default grains), <c>--citizens N</c> (300,000), <c>--ramp SECONDS</c>
/// (0: everyone at once), <c>--rate N</c> (open loop: N requests/s offered whatever the answers; off by default),
/// <c>--concurrency N</c> (closed loop: citizens in flight; default 2,000, and --connections in http mode),
/// <c>--connections N</c> (http: 256), <c>--supply R</c> (single-hot and nationwide: caps as a share of demand),
/// <c>--url URL</c>, <c>--no-baseline</c>, <c>--baseline-concurrency N</c> (64), <c>--json FILE</c>,
/// <c>--chart FILE</c> (default: next to the JSON), <c>--connection "Host=..."</c>. The paths scenario (citizen
/// grain, direct, baseline) keeps its own <c>--purchases N --rounds N --only citizen|direct|baseline|append|activation</c>.
/// The storm scenario (the 09:00 crowd on a new connection per attempt, against the gateway at <c>--url</c>, whatever
/// <c>--mode</c>) reads <c>--citizens</c> (default 30,000), <c>--ramp</c> (3), <c>--supply</c> (0.5), <c>--url</c>,
/// <c>--json</c> and <c>--connection</c>, and <c>--connections</c> (256) for its closed-loop peak, measured first.
/// dec-2022 in http mode takes <c>--pre-queue MINUTES</c>: the sales open that long after the run starts, with a
/// pre-queue as long, and every citizen arrives in it (not with <c>--rate</c> or <c>--ramp</c>; no baseline).
/// The ticket check (a queued buyer's retry against the gateway's no-op ceiling, alternated; the gateway started
/// with <c>LEDGER_BENCH_NOOP=1</c>) reads <c>--citizens</c> (tickets taken, default 50,000), <c>--replay N</c>
/// (the last N tickets replayed, 4,000), <c>--connections</c> (256), <c>--rounds</c> (pairs of rounds, 3),
/// <c>--round-seconds S</c> (4), <c>--url</c>, <c>--json</c> and <c>--connection</c>.
/// The flood (made-up ids beside a buyer, against the gateway at <c>--url</c>, whatever <c>--mode</c>) reads <c>--rate</c>
/// (made-up ids a second, 900), <c>--buyer-rate</c> (the buyer's purchases a second, 50), <c>--rounds</c> (pairs of a quiet
/// and a flood round, 1), <c>--round-seconds</c> (80), <c>--connections</c> (the flood's, 256), <c>--control</c> (a third
/// round per pair: the same flood with ids refused at the gateway's edge) and <c>--json</c>.
/// <c>--payment</c> (grains mode; single-hot and 50,000 citizens a round unless told) runs the one-phase purchase
/// and the two-phase one (a policy with payment by account, against a payment sandbox the bench starts) in
/// alternating rounds, <c>--rounds</c> pairs (2: A B B A), each round on a sale of its own.
/// </summary>
public sealed record BenchOptions(
    string Scenario,
    string Mode,
    int Citizens,
    double RampSeconds,
    double? Rate,
    int Concurrency,
    int Connections,
    double? Supply,
    string Url,
    bool Baseline,
    int BaselineConcurrency,
    string? JsonFile,
    string? ChartFile,
    string ConnectionString,
    int Purchases,
    int Rounds,
    string? Only,
    int? PreQueueMinutes,
    int Replay,
    double RoundSeconds,
    bool Payment,
    double BuyerRate,
    bool Control)
{
    public static readonly string[] Scenarios = ["dec-2022", "single-hot", "nationwide", "paths", "storm", "ticket-check", "flood"];
    public static readonly string[] Modes = ["grains", "http", "baseline"];

    public string? ChartPath => ChartFile ?? (JsonFile is null ? null : Path.ChangeExtension(JsonFile, ".png"));

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        int Whole(string name, int fallback, int min = 1) => Value(name) switch
        {
            null => fallback,
            var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min => n,
            var text => throw new ArgumentException($"{name} takes a whole number of at least {min}, not {text}."),
        };

        double? Number(string name) => Value(name) switch
        {
            null => null,
            var text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 => n,
            var text => throw new ArgumentException($"{name} takes a number of at least 0, not {text}."),
        };

        string OneOf(string name, string[] allowed) => Value(name) switch
        {
            null => allowed[0],
            var text when allowed.Contains(text) => text,
            var text => throw new ArgumentException($"{name} takes {string.Join(", ", allowed)}, not {text}."),
        };

        var payment = args.Contains("--payment");
        var scenario = payment && Value("--scenario") is null ? "single-hot" : OneOf("--scenario", Scenarios);
        var storm = scenario == "storm";
        var ticketCheck = scenario == "ticket-check";
        var flood = scenario == "flood";
        var mode = OneOf("--mode", Modes);
        if (payment && (mode != "grains" || !PaymentComparison.Scenarios.Contains(scenario) || Value("--pre-queue") is not null))
        {
            throw new ArgumentException(
                $"--payment is for --mode grains with --scenario {string.Join(", ", PaymentComparison.Scenarios)}, without --pre-queue.");
        }

        var connections = Whole("--connections", 256);
        int? preQueue = Value("--pre-queue") is null ? null : Whole("--pre-queue", 1);
        if (preQueue is not null && (scenario != "dec-2022" || mode != "http" || Value("--rate") is not null || Value("--ramp") is not null))
        {
            throw new ArgumentException("--pre-queue is for --scenario dec-2022 --mode http, without --rate or --ramp: everyone arrives in the pre-queue.");
        }

        return new BenchOptions(
            scenario,
            mode,
            Whole("--citizens", storm ? StormRun.CitizensDefault
                : ticketCheck ? TicketCheckRun.TicketsDefault
                : payment ? PaymentComparison.CitizensDefault
                : 300_000),
            Number("--ramp") ?? (storm ? StormRun.RampSecondsDefault : 0),
            Number("--rate") is > 0 and var rate ? rate : null,
            Whole("--concurrency", mode == "http" ? connections : 2_000),
            connections,
            Number("--supply") ?? (storm ? StormRun.SupplyDefault : null),
            Value("--url") ?? Environment.GetEnvironmentVariable("LEDGER_GATEWAY_URL") ?? "http://127.0.0.1:5080",
            !args.Contains("--no-baseline"),
            Whole("--baseline-concurrency", 64),
            Value("--json"),
            Value("--chart"),
            Value("--connection")
                ?? Environment.GetEnvironmentVariable("ConnectionStrings__Ledger")
                ?? "Host=127.0.0.1;Port=54329;Database=ledger;Username=ledger;Password=ledger",
            Whole("--purchases", 100_000),
            Whole("--rounds", ticketCheck ? TicketCheckRun.RoundPairsDefault : payment ? PaymentComparison.RoundPairsDefault : 1),
            Value("--only") switch
            {
                null or "citizen" or "direct" or "baseline" or "append" or "activation" => Value("--only"),
                var other => throw new ArgumentException($"--only takes citizen, direct, baseline, append or activation, not {other}."),
            },
            preQueue,
            Whole("--replay", TicketCheckRun.ReplayDefault),
            Number("--round-seconds") is > 0 and var roundSeconds ? roundSeconds
                : flood ? FloodRun.RoundSecondsDefault
                : TicketCheckRun.RoundSecondsDefault,
            payment,
            Number("--buyer-rate") is > 0 and var buyerRate ? buyerRate : FloodRun.BuyerPerSecondDefault,
            args.Contains("--control"));
    }
}
