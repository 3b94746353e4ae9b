using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// Command line: <c>--purchases N --concurrency N --rounds N --connection "Host=..." [--only citizen|direct]</c>.
/// Both paths run by default: through the citizen grains, and straight to the program-month grain. Each
/// of the N citizens buys once per round (default 1).
/// </summary>
public sealed record BenchOptions(int Purchases, int Concurrency, int Rounds, string ConnectionString, bool? Direct)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        return new BenchOptions(
            int.Parse(Value("--purchases") ?? "100000", CultureInfo.InvariantCulture),
            int.Parse(Value("--concurrency") ?? "2000", CultureInfo.InvariantCulture),
            int.Parse(Value("--rounds") ?? "1", CultureInfo.InvariantCulture),
            Value("--connection")
                ?? Environment.GetEnvironmentVariable("ConnectionStrings__Ledger")
                ?? "Host=127.0.0.1;Port=54329;Database=ledger;Username=ledger;Password=ledger",
            Value("--only") switch
            {
                null => null,
                "citizen" => false,
                "direct" => true,
                var other => throw new ArgumentException($"--only takes citizen or direct, not {other}."),
            });
    }
}
