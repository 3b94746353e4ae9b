using System.Globalization;
using Spectre.Console;

namespace Ledger.Bench;

/// <summary>The payment comparison on the console: the rounds in a table, the headline in a panel, then what failed in red.</summary>
public static class PaymentConsole
{
    public static void Write(PaymentReport report)
    {
        var table = new Table().Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{report.Scenario}, {report.Citizens} citizens a round; the sandbox answering in {report.LatencyMs[0]}-{report.LatencyMs[1]} ms")));
        table.AddColumns(
            "round", "sale", "confirmed", "seconds", "confirmed/s", "p50 ms", "p99 ms", "answered pending", "commits", "items/commit",
            "flusher busy", "provider requests (mean ms)", "errors", "invariants");
        foreach (var round in report.Rounds)
        {
            var run = round.Run;
            table.AddRow(
                Markup.Escape(PaymentReport.Label(round)), Markup.Escape(round.ProgramMonth), F(run.Confirmed),
                F(run.ElapsedSeconds, "F2"), F(run.ConfirmedPerSecond), F(run.Purchases.P50Ms, "F1"),
                F(run.Purchases.P99Ms, "F1"), round.Kind == PaymentRound.TwoPhase ? F(round.PendingAnswers) : "-", F(round.Silo.Commits),
                F(round.Silo.ItemsPerCommit, "F1"), $"{F(round.FlusherBusyShare * 100)}%",
                $"{F(round.Silo.ProviderRequests)} ({F(round.Silo.ProviderRequestMeanMs, "F1")})", F(run.Errors), run.InvariantsHold ? "hold" : "BROKEN");
        }

        AnsiConsole.Write(table);
        var summary = new Grid().AddColumn().AddColumn();
        void Row(string name, string value) => summary.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("A: one-phase confirmed/s (mean)", F(report.OnePhasePerSecond));
        Row("B: two-phase confirmed/s (mean)", F(report.TwoPhasePerSecond));
        Row("B / A", $"{F(report.TwoPhaseShare * 100, "F1")}% (per pair: {string.Join(", ", report.PairShares.Select(s => $"{F(s * 100, "F1")}%"))})");
        Row($"target: B >= {F(PaymentReport.TwoPhaseShareMin * 100)}% of A on single-hot", report.TargetMet switch
        {
            true => "met",
            false => "NOT met",
            null => "not this scenario's",
        });
        foreach (var round in report.Rounds.Where(r => r.Payments is not null))
        {
            var money = round.Payments!;
            Row($"{PaymentReport.Label(round)}: money", string.Create(CultureInfo.InvariantCulture,
                $"{money.Posted} of {money.Holds} holds posted ({money.Voided} voided, {money.Expired} expired, {money.HoldsOpen} open); " +
                $"{money.RefundsDone} refunds done ({money.RefundsOwed} owed), settled {money.SettleSeconds:F1} s after the run; " +
                $"{money.PayersChecked} payers checked, {money.PayersOff} off"));
        }

        foreach (var (process, bytes) in report.PeakMemoryBytes)
        {
            Row($"peak memory, {process}", $"{F(bytes / 1024.0 / 1024.0)} MiB");
        }

        AnsiConsole.Write(new Panel(summary).Header(Markup.Escape($"payment comparison, grains, {report.Scenario}")));
        foreach (var failure in report.Failures)
        {
            AnsiConsole.MarkupLine($"[bold red]PAYMENT RUN FAILED: {Markup.Escape(failure)}[/]");
        }
    }

    private static string F(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string F(long value) => value.ToString(CultureInfo.InvariantCulture);
}
