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

    private GatewayProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri Url { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    public IEnumerable<string> Output => lines.Select(l => l.Line);

    /// <summary>Starts the gateway with <paramref name="environment"/>; with <paramref name="fileLimit"/>, under that soft and hard limit.</summary>
    public static GatewayProcess Start(IReadOnlyDictionary<string, string> environment, int? fileLimit = null)
    {
        var port = Ledger.Grains.Tests.TestPorts.Free();
        var gatewayPath = typeof(GatewayProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "GatewayPath").Value!;
        string[] command = ["dotnet", gatewayPath, "--urls", $"http://127.0.0.1:{port}"];
        if (fileLimit is { } limit)
        {
            command = ["prlimit", $"--nofile={limit}:{limit}", "--", .. command];
        }

        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var gateway = new GatewayProcess(new Process { StartInfo = start }, port);
        gateway.process.OutputDataReceived += (_, e) => gateway.Read(e.Data);
        gateway.process.ErrorDataReceived += (_, e) => gateway.Read(e.Data);
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
