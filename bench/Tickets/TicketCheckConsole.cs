using System.Globalization;
using Spectre.Console;

namespace Ledger.Bench;

/// <summary>The ticket check on the console: the rounds in a table, the headline in a panel, then what failed in red.</summary>
public static class TicketCheckConsole
{
    public static void Write(TicketCheckReport report)
    {
        var table = new Table().Title(Markup.Escape(
            $"{F(report.Replayed)} tickets replayed on {F(report.Connections)} connections, rounds of {F(report.RoundSeconds, "F1")} s"));
        table.AddColumns("round", "endpoint", "seconds", "answers", "answers/s", "expected", "other answers", "closest place");
        foreach (var round in report.Rounds)
        {
            table.AddRow(
                round.IsWarmUp ? "warm-up" : $"pair {F(round.Pair)}", round.Kind, F(round.Seconds, "F2"), F(round.Answers), F(round.PerSecond),
                F(round.Expected), Markup.Escape(round.Unexpected.Count == 0 ? "0" : string.Join(", ", round.Unexpected.Select(u => $"{u.Key}: {F(u.Value)}"))),
                round.PositionMin is { } position ? F(position) : "-");
        }

        AnsiConsole.Write(table);
        var summary = new Grid().AddColumn().AddColumn();
        void Row(string name, string value) => summary.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("tickets taken",
            $"{F(report.TicketsTaken)} of {F(report.Citizens)} citizens in {F(report.TakeSeconds, "F1")} s on {F(report.TakeConnections)} connections; " +
            $"{F(report.BoughtWhileTaking)} went straight in" +
            (report.OtherWhileTaking.Count == 0 ? "" : "; other: " + string.Join(", ", report.OtherWhileTaking.Select(o => $"{o.Key}: {F(o.Value)}"))));
        Row("A: no-op ceiling", $"{F(report.NoOpPerSecond)} answers/s");
        Row("B: retry with a ticket not yet admitted", $"{F(report.TicketPerSecond)} answers/s");
        Row("B / A", $"{F(report.TicketShareOfNoOp * 100, "F1")}% (per pair: {string.Join(", ", report.PairShares.Select(s => $"{F(s * 100, "F1")}%"))})");
        Row($"target: B >= {F(TicketCheckReport.TicketShareOfNoOpMin * 100)}% of A", report.TargetMet ? "met" : "NOT met");
        Row("ticket rounds' answers other than 429", F(report.NotQueuedInTicketRounds));
        foreach (var (process, bytes) in report.PeakMemoryBytes)
        {
            Row($"peak memory, {process}", $"{F(bytes / 1024.0 / 1024.0)} MiB");
        }

        AnsiConsole.Write(new Panel(summary).Header(Markup.Escape($"ticket-check, {report.ProgramMonth}")));
        if (report.NotQueuedInTicketRounds > 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape(
                "Some ticket rounds' answers were not 429: the frontier reached the replayed tickets, and those rounds measured purchases too. " +
                "Shorter or fewer rounds (--round-seconds, --rounds) keep them in line."));
        }

        foreach (var failure in report.Failures)
        {
            AnsiConsole.MarkupLine($"[bold red]TICKET CHECK FAILED: {Markup.Escape(failure)}[/]");
        }
    }

    private static string F(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string F(long value) => value.ToString(CultureInfo.InvariantCulture);
}
