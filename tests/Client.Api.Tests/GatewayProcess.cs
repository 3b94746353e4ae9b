using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The real gateway binary as a process, started as <c>./ledger up</c> starts it, optionally under a lowered file
/// limit (<c>prlimit</c>). Its output is kept, with the time each line was read.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    public const string ListeningLine = "Now listening on";
    public const string WarmLine = "the gateway is warm";
    private static readonly TimeSpan LineTimeoutMax = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly ConcurrentQueue<(TimeSpan At, string Line)> lines = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TimeSpan>> awaited = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private GatewayProcess(Process process, int port, int? managementPort)
    {
        this.process = process;
        Url = new Uri($"http://127.0.0.1:{port}");
        ManagementUrl = managementPort is { } management ? new Uri($"http://127.0.0.1:{management}") : Url;
    }

    public Uri Url { get; }

    /// <summary>The management port's address (health and metrics, outside the connection bound), or <see cref="Url"/>.</summary>
    public Uri ManagementUrl { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    public IEnumerable<string> Output => lines.Select(l => l.Line);

    /// <summary>
    /// Starts the gateway with <paramref name="environment"/>; with <paramref name="fileLimit"/>, under that soft and
    /// hard limit; with <paramref name="management"/>, also on a management port.
    /// </summary>
    public static GatewayProcess Start(IReadOnlyDictionary<string, string> environment, int? fileLimit = null, bool management = false)
    {
        var port = Ledger.Grains.Tests.TestPorts.Free();
        int? managementPort = management ? Ledger.Grains.Tests.TestPorts.Free() : null;
        var gatewayPath = typeof(GatewayProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "GatewayPath").Value!;
        var urls = managementPort is { } other ? $"http://127.0.0.1:{port};http://127.0.0.1:{other}" : $"http://127.0.0.1:{port}";
        string[] command = ["dotnet", gatewayPath, "--urls", urls];
        if (fileLimit is { } limit)
        {
            command = ["prlimit", $"--nofile={limit}:{limit}", "--", .. command];
        }

        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        if (managementPort is { } managementOn)
        {
            start.Environment["Ledger__Gateway__ManagementPort"] = managementOn.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var gateway = new GatewayProcess(new Process { StartInfo = start, EnableRaisingEvents = true }, port, managementPort);
        gateway.process.OutputDataReceived += (_, e) => gateway.Read(e.Data);
        gateway.process.ErrorDataReceived += (_, e) => gateway.Read(e.Data);
        gateway.process.Exited += (_, _) => gateway.FailWaiters();
        gateway.process.Start();
        gateway.process.BeginOutputReadLine();
        gateway.process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>When a line containing <paramref name="text"/> was first read (since start); waits for it, bounded.</summary>
    public Task<TimeSpan> LineAsync(string text)
    {
        var seen = awaited.GetOrAdd(text, _ => new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously));
        foreach (var (at, line) in lines)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                seen.TrySetResult(at);
            }
        }

        if (process.HasExited)
        {
            FailWaiters();
        }

        return seen.Task.WaitAsync(LineTimeoutMax);
    }

    /// <summary>The peak resident memory of the process (VmHWM), in bytes.</summary>
    public long PeakResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    // A line awaited from a process that has exited will not come.
    private void FailWaiters()
    {
        foreach (var (text, seen) in awaited)
        {
            seen.TrySetException(new InvalidOperationException(
                $"The gateway exited (code {process.ExitCode}) before printing '{text}':\n{string.Join('\n', Output.TakeLast(20))}"));
        }
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        var at = clock.Elapsed;
        lines.Enqueue((at, line));
        foreach (var (text, seen) in awaited)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                seen.TrySetResult(at);
            }
        }
    }
}
