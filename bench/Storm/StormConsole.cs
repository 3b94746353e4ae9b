using System.Globalization;
using Spectre.Console;

namespace Ledger.Bench;

/// <summary>The storm's report on the console: the figures in panels, then what failed the run in red (or that it passed).</summary>
public static class StormConsole
{
    public static void Write(StormReport report)
    {
        AnsiConsole.Write(Panel($"storm: {F(report.Buyers)} buyers over {F(report.RampSeconds, "F1")} s, {report.ProgramMonth}", Answers(report)));
        AnsiConsole.Write(Panel("attempts", Attempts(report)));
        AnsiConsole.Write(Panel("readiness, after the storm, processes", AfterAndAround(report)));
        AnsiConsole.Write(Panel("issue 15's targets (reported; only failures fail the run)",
            report.Targets.Select(t => (t.Name, $"{(t.Met ? "met" : "NOT met")}: {t.Measured} (target {t.Bound})"))));
        foreach (var failure in report.Failures)
        {
            AnsiConsole.MarkupLine($"[bold red]STORM FAILED: {Markup.Escape(failure)}[/]");
        }

        if (report.Passed)
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"storm passed: every buyer answered, no 5xx but 503, {report.SoldByLedger} won sold for a cap of {report.CapWon}, " +
                $"invariants hold, the purchase after the storm served.")));
        }
    }

    private static IEnumerable<(string, string)> Answers(StormReport r)
    {
        yield return ("cap", $"{F(r.CapPurchases)} purchases of {F(r.AmountPerBuyer)} won");
        yield return ("confirmed", F(r.Confirmed));
        yield return ("sold-out answers", F(r.SoldOut));
        yield return ("other answers", r.OtherAnswers.Count == 0 ? "0" : string.Join(", ", r.OtherAnswers.Select(a => $"{a.Key}: {F(a.Value)}")));
        yield return ("buyers with no final answer", F(r.Unanswered));
        yield return ("time to final answer, confirmed", Times(r.ConfirmedTimeToAnswer));
        yield return ("time to final answer, all answered", Times(r.AnsweredTimeToAnswer));
        yield return ("first buyers within the cap not confirmed",
            $"{F(r.FirstCapNotConfirmed)} of {F(Math.Min(r.CapPurchases, r.Buyers))} ({F(r.FirstCapNotConfirmedShare * 100, "F1")}%)");
        yield return ("places lost", $"{F(r.PlacesLostShare * 100, "F1")}%");
        yield return ("sell-out (the last 201 received)", r.SellOutSeconds is { } sellOut ? $"{F(sellOut, "F2")} s after the first arrival" : "none confirmed");
        yield return ("queued buyers told sold-out: after the sell-out, less their last Retry-After", r.QueuedSoldOutLag.Count == 0
            ? "no queued buyer ended sold-out"
            : $"max {F(r.QueuedSoldOutLag.MaxSeconds, "F2")} s, p99 {F(r.QueuedSoldOutLag.P99Seconds, "F2")} s, " +
              $"median {F(r.QueuedSoldOutLag.MedianSeconds, "F2")} s ({F(r.QueuedSoldOutLag.Count)} buyers)");
        yield return ("goodput (confirmed/s, first arrival to sell-out)", r.GoodputPerSecond is { } goodput ? F(goodput) : "none");
        yield return ("closed-loop peak, before the storm", Peak(r.ClosedLoopPeak));
        yield return ("goodput / closed-loop peak", r.GoodputShareOfPeak is { } share ? $"{F(share * 100, "F1")}%" : "-");
        yield return ("sold by the ledger", r.SoldByLedger is { } sold ? $"{F(sold)} won (cap {F(r.CapWon)})" : "not read");
        yield return ("audit", r.Invariants is null ? "not read" : r.Invariants.AuditConsistent ? "consistent" : "INCONSISTENT");
    }

    private static IEnumerable<(string, string)> Attempts(StormReport r)
    {
        yield return ("attempts", $"{F(r.Attempts)} (at most {F(r.AttemptsPerBuyerMax)} by one buyer)");
        yield return ("connect failures", $"{F(r.ConnectFailures)} ({F(r.ClientSideConnectFailures)} for this process's own lack of handles or ports)");
        yield return ("resets / closed without answer", F(r.ResetsOrClosedWithoutAnswer));
        yield return ("no answer in time", F(r.TimedOut));
        yield return ("503", F(r.Unavailable503));
        yield return ("429", F(r.TooManyRequests429));
        yield return ("500 and other 5xx but 503", F(r.ServerErrors));
        foreach (var (detail, count) in r.AttemptsByDetail)
        {
            yield return ($"  {detail}", F(count));
        }

        yield return ("this process", $"open files {(r.ClientFileLimit is { } limit ? F(limit) : "?")}, connections at most {F(r.ClientConnectionsMax)}, " +
            $"peak {F(r.ClientConnectionsPeak)}, buyers waited for one {F(r.ClientSlotWaits)} times, last arrival late by {F(r.ArrivalLagMaxSeconds, "F3")} s");
    }

    private static IEnumerable<(string, string)> AfterAndAround(StormReport r)
    {
        yield return ("readiness polls",
            $"ready {F(r.ReadyPolls)}, not ready {F(r.NotReadyPolls)}, no answer {F(r.UnansweredPolls)} (ready before the storm: {r.ReadyBeforeStorm})");
        yield return ("said ready while purchases failed", F(r.SaidReadyWhilePurchasesFailed));
        yield return ("purchase after the storm",
            $"{r.AfterStorm.Answer} in {F(r.AfterStorm.LatencyMs, "F1")} ms ({(r.AfterStorm.Served ? "served" : "NOT served")})");
        yield return ("state after the storm", r.State is { } state ? $"{F(r.StateStatus)} {state.GetRawText()}" : $"no answer ({F(r.StateStatus)})");
        foreach (var (process, bytes) in r.PeakMemoryBytes)
        {
            yield return ($"peak memory, {process}", $"{F(bytes / 1024.0 / 1024.0)} MiB");
        }

        foreach (var p in r.Processes)
        {
            yield return ($"{p.Name} (pid {F(p.Pid)})", $"{(p.RunningAfter ? "running" : "GONE")} after the storm, open files peak " +
                $"{(p.OpenFilesPeak is { } open ? F(open) : "?")} of {(p.FileLimit is { } limit ? F(limit) : "?")}");
        }
    }

    private static string Peak(ClosedLoopPeak p) =>
        $"{F(p.PeakPerSecond)} confirmed/s over the busiest {F(p.WindowSeconds)} s (best second {F(p.BestSecondPerSecond)}/s); " +
        $"{F(p.Confirmed)} of {F(p.Buyers)} confirmed in {F(p.ElapsedSeconds, "F2")} s on {F(p.Connections)} keep-alive connections, " +
        $"{F(p.Refused)} queued or refused attempts, {F(p.Errors)} errors";

    private static Panel Panel(string header, IEnumerable<(string Name, string Value)> rows)
    {
        var grid = new Grid().AddColumn().AddColumn();
        foreach (var (name, value) in rows)
        {
            grid.AddRow(Markup.Escape(name), Markup.Escape(value));
        }

        return new Panel(grid).Header(Markup.Escape(header));
    }

    private static string Times(TimeStats t) => t.Count == 0
        ? "none"
        : $"median {F(t.MedianSeconds, "F2")} s, p90 {F(t.P90Seconds, "F2")} s, p99 {F(t.P99Seconds, "F2")} s, " +
          $"max {F(t.MaxSeconds, "F2")} s ({F(t.Count)} buyers)";

    private static string F(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string F(long value) => value.ToString(CultureInfo.InvariantCulture);
}
