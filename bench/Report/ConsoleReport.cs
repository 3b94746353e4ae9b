using System.Globalization;
using Spectre.Console;

namespace Ledger.Bench;

/// <summary>The result tables on the console, and the broken invariants in red.</summary>
public static class ConsoleReport
{
    public static void Write(BenchReport report)
    {
        foreach (var run in new[] { report.NoOp, report.GrainHops, report.Run, report.Baseline }.OfType<RunReport>())
        {
            AnsiConsole.Write(Table(run));
        }

        var summary = new Grid().AddColumn().AddColumn();
        void Row(string name, string value) => summary.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("confirmed purchases/s", F(report.ConfirmedPerSecond));
        Row("requests/s (all)", F(report.RequestsPerSecond));
        Row("purchase requests/s", F(report.PurchaseRequestsPerSecond));
        Row("purchase p99", $"{F(report.P99Ms, "F1")} ms");
        Row("baseline confirmed/s", report.BaselinePerSecond is { } b ? F(b) : "not run");
        Row("ratio to baseline", report.RatioToBaseline is { } r ? $"{F(r, "F1")}x" : "-");
        if (report.NoOpRequestsPerSecond is { } noOp)
        {
            Row("gateway no-op requests/s", F(noOp));
            Row("purchases' share of the no-op ceiling", $"{F(report.RatioToNoOp!.Value * 100)}%");
        }

        if (report.GrainHopsRequestsPerSecond is { } hops)
        {
            Row("gateway + 2 probe grain calls requests/s", F(hops));
            if (report.GrainHopsShareOfNoOp is { } share)
            {
                Row("their share of the no-op ceiling", $"{F(share * 100)}%");
            }
        }

        Row("time to sell-out", report.SellOutSeconds is { } s ? $"{F(s, "F2")} s" : "no sell-out");
        Row("everyone answered in", $"{F(report.AllAnsweredSeconds, "F2")} s");
        if (report.Run.OpeningSeconds is { } opening)
        {
            Row("the opening (pre-queue before it)", $"{F(opening, "F2")} s into the run");
            Row("sold out after the opening", report.SellOutAfterOpeningSeconds is { } after ? $"{F(after, "F2")} s" : "no sell-out");
            Row("everyone answered after the opening", $"{F(report.AllAnsweredAfterOpeningSeconds ?? 0, "F2")} s");
            Row($"target: everyone answered within {F(BenchReport.AnsweredAfterOpeningMaxSeconds)} s of the opening, zero 5xx",
                report.AnsweredAfterOpeningTargetMet == true ? "met" : "NOT met");
        }

        Row("5xx answers (503 among them)", $"{F(report.ServerErrors)} ({F(report.Unavailable503)})");
        Row("errors", F(report.Errors));
        if (report.Commits is { } c)
        {
            Row("commit transactions (batches each)", $"{F(c.Transactions)} ({F(c.BatchesPerTransaction, "F1")})");
            Row("program-month batches (items each)", $"{F(c.Batches)} ({F(c.ItemsPerBatch, "F1")})");
            Row("wait for a connection, mean / max", $"{F(c.ConnectionWaitMeanMs, "F2")} / {F(c.ConnectionWaitMaxMs, "F1")} ms");
            Row("PostgreSQL transactions, WAL flushes (items each)", $"{F(c.DatabaseTransactions)}, {F(c.WalFlushes)} ({F(c.ItemsPerWalFlush, "F1")})");
            Row("CPU seconds, PostgreSQL / bench and silo",
                $"{(c.DatabaseCpuSeconds is { } db ? F(db, "F1") : "not on this machine")} / {F(c.BenchCpuSeconds, "F1")}");
        }

        foreach (var (process, bytes) in report.PeakMemoryBytes)
        {
            Row($"peak memory, {process}", $"{F(bytes / 1024.0 / 1024.0)} MiB");
        }

        AnsiConsole.Write(new Panel(summary).Header(Markup.Escape($"{report.Mode}, {report.Scenario}, {report.Citizens} citizens")));
        foreach (var run in new[] { report.Run, report.Baseline }.OfType<RunReport>())
        {
            WriteInvariants(run);
        }
    }

    private static Table Table(RunReport run)
    {
        var table = new Table().Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{run.Mode}: {run.Confirmed} confirmed in {run.ElapsedSeconds:F2} s = {run.ConfirmedPerSecond:F0}/s; " +
            $"{run.RequestsPerSecond:F0} requests/s; peak {run.PeakConfirmedPerSecond:F0} confirmed/s")));
        table.AddColumns("outcome", "count", "p50 ms", "p95 ms", "p99 ms", "max ms");
        foreach (var (name, stats) in run.Outcomes.Where(o => o.Value.Count > 0).Append(new("all purchases", run.Purchases)))
        {
            table.AddRow(Markup.Escape(name), F(stats.Count), F(stats.P50Ms, "F1"), F(stats.P95Ms, "F1"), F(stats.P99Ms, "F1"), F(stats.MaxMs, "F1"));
        }

        return table;
    }

    private static void WriteInvariants(RunReport run)
    {
        if (run.Invariants is not { } invariants)
        {
            return;
        }

        if (invariants.Hold)
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{run.Mode}: invariants hold in the database: no oversell, no citizen over the limit, counters agree with " +
                $"{invariants.SoldByLedger} won sold, all {invariants.ConfirmedSeen} confirmed purchases present.")));
            return;
        }

        foreach (var broken in invariants.Broken())
        {
            AnsiConsole.MarkupLine($"[bold red]INVARIANT BROKEN ({Markup.Escape(run.Mode)}): {Markup.Escape(broken)}[/]");
        }

        foreach (var sample in run.ErrorSamples)
        {
            AnsiConsole.MarkupLine($"[red]error sample: {Markup.Escape(sample)}[/]");
        }
    }

    private static string F(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string F(long value) => value.ToString(CultureInfo.InvariantCulture);
}
