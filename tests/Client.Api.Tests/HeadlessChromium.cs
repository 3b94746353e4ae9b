using System.Diagnostics;
using Ledger.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// Debian's Chromium, run headless on a page (<see cref="TestChromium"/> finds it). Virtual time lets the page's
/// timers and polls run for a set budget without the test waiting for them in real time.
/// </summary>
public static class HeadlessChromium
{
    private static readonly TimeSpan RunTimeoutMax = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeoutMax = TimeSpan.FromSeconds(10);

    /// <summary>The DOM after the page ran for <paramref name="virtualTime"/>.</summary>
    public static async Task<string> DumpDomAsync(Uri page, TimeSpan virtualTime) =>
        await RunAsync(page, virtualTime, "--dump-dom");

    /// <summary>A PNG of the page after it ran for <paramref name="virtualTime"/>.</summary>
    public static async Task<byte[]> ScreenshotAsync(Uri page, TimeSpan virtualTime, int width, int height)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ledger-sales-{Guid.NewGuid():N}.png");
        try
        {
            await RunAsync(page, virtualTime, $"--screenshot={file}", $"--window-size={width},{height}", "--hide-scrollbars");
            return await File.ReadAllBytesAsync(file);
        }
        finally
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover temporary file must not hide the test's own outcome.
            }
        }
    }

    private static async Task<string> RunAsync(Uri page, TimeSpan virtualTime, params string[] mode)
    {
        var profile = Directory.CreateTempSubdirectory("ledger-chromium-");
        var start = new ProcessStartInfo(TestChromium.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // No sandbox: it needs user namespaces or a setuid helper, and root is refused it anyway.
        string[] arguments =
        [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            $"--user-data-dir={profile.FullName}", $"--virtual-time-budget={(int)virtualTime.TotalMilliseconds}",
            .. mode, page.AbsoluteUri,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var chromium = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");
        var output = chromium.StandardOutput.ReadToEndAsync();
        var errors = chromium.StandardError.ReadToEndAsync();
        try
        {
            await chromium.WaitForExitAsync().WaitAsync(RunTimeoutMax);
        }
        catch (TimeoutException)
        {
            chromium.Kill(entireProcessTree: true);
            // Let it exit before its profile goes; if even that takes too long, this timeout is still the one reported.
            chromium.WaitForExit(ExitTimeoutMax);
            throw;
        }
        finally
        {
            DeleteBestEffort(profile);
        }

        Assert.True(chromium.ExitCode == 0, $"Chromium exited with {chromium.ExitCode}: {await errors}");
        return await output;
    }

    /// <summary>
    /// Removes a profile, unless a Chromium process still writing to it (one that would not die in time) or
    /// the file system refuses: a leftover directory in the temporary folder must not hide the test's outcome.
    /// </summary>
    private static void DeleteBestEffort(DirectoryInfo profile)
    {
        try
        {
            profile.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Left Chromium's profile {profile.FullName}: {e.Message}");
        }
    }
}
