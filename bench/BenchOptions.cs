using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// Command line: <c>--purchases N --concurrency N --rounds N --connection "Host=..." [--only citizen|direct|baseline]
/// [--json FILE]</c>. Every path runs by default; each of the N citizens buys once per round (default 1).
/// </summary>
public sealed record BenchOptions(int Purchases, int Concurrency, int Rounds, string ConnectionString, string? Only, string? JsonFile)
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
                null or "citizen" or "direct" or "baseline" => Value("--only"),
                var other => throw new ArgumentException($"--only takes citizen, direct or baseline, not {other}."),
            },
            Value("--json"));
    }
}
