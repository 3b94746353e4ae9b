using System.Globalization;
using Spectre.Console;

namespace Ledger.Bench;

/// <summary>
/// A line of progress a second: a live Spectre.Console progress bar on a terminal, plain lines when the
/// output is redirected (tests, CI, a log file).
/// </summary>
public static class LiveProgress
{
    private static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static async Task<T> RunAsync<T>(string title, int citizens, Func<Action<SecondPoint, Measurements>, Task<T>> run)
    {
        if (!Interactive)
        {
            return await run((point, _) => Console.WriteLine($"{title}: {Line(point, citizens)}"));
        }

        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: citizens);
                result = await run((point, _) =>
                {
                    task.Value = point.CitizensDone;
                    task.Description = Markup.Escape($"{title}: {Line(point, citizens)}");
                });
                task.Value = citizens;
                task.StopTask();
            });
        return result;
    }

    private static string Line(SecondPoint point, int citizens) => string.Create(CultureInfo.InvariantCulture,
        $"{point.Second,3} s  citizens {point.CitizensDone}/{citizens}  sent/s {point.Sent}  answered/s {point.Requests}  confirmed/s {point.Confirmed}  " +
        $"p99 {point.PurchaseP99Ms:F1} ms  refused {point.Refused}  errors {point.Errors}");
}
