using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Ledger.Silo.Tests;

/// <summary>The real silo binary, started as ./ledger up starts it, with its own ports and cluster id.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeoutMax = TimeSpan.FromSeconds(90);
    private readonly Process process;
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> output = [];

    private SiloProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Receive(e.Data);
        process.ErrorDataReceived += (_, e) => Receive(e.Data);
    }

    public int Id => process.Id;

    /// <summary>What the silo printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    /// <summary>The port other silos reach this one on.</summary>
    public int SiloPort { get; private init; }

    /// <summary>The port Orleans clients connect to.</summary>
    public int GatewayPort { get; private init; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => process.HasExited;

    /// <param name="siloPort">The silo port, or null for a free one; a restarted silo takes its old ports again.</param>
    /// <param name="settings">More environment variables, e.g. <c>("Ledger__Silo__MetricsPort", "9464")</c>.</param>
    public static async Task<SiloProcess> StartAsync(
        string connectionString, string clusterId, int? siloPort = null, int? gatewayPort = null,
        IReadOnlyList<(string Name, string Value)>? settings = null)
    {
        var ports = (Silo: siloPort ?? FreePort(), Gateway: gatewayPort ?? FreePort());
        var siloPath = typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SiloPath").Value!;
        var start = new ProcessStartInfo("dotnet", [siloPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Ledger"] = connectionString;
        start.Environment["Ledger__Silo__ClusterId"] = clusterId;
        start.Environment["Ledger__Silo__ServiceId"] = clusterId;
        start.Environment["Ledger__Silo__SiloPort"] = ports.Silo.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Ledger__Silo__GatewayPort"] = ports.Gateway.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in settings ?? [])
        {
            start.Environment[name] = value;
        }

        var silo = new SiloProcess(Process.Start(start)!) { SiloPort = ports.Silo, GatewayPort = ports.Gateway };
        silo.process.BeginOutputReadLine();
        silo.process.BeginErrorReadLine();
        var exited = silo.process.WaitForExitAsync();
        var first = await Task.WhenAny(silo.ready.Task, exited).WaitAsync(ReadyTimeoutMax);
        if (first == exited)
        {
            throw new InvalidOperationException($"The silo exited with {silo.process.ExitCode}:\n{silo.Output}");
        }

        return silo;
    }

    /// <summary>Asks the silo to stop, as an operator's SIGTERM does, and returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        await SignalTerminateAsync();
        return await WaitForExitAsync(timeout);
    }

    /// <summary>Sends SIGTERM and returns at once: the silo leaves the cluster gracefully in its own time.</summary>
    public async Task SignalTerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await process.WaitForExitAsync().WaitAsync(timeout);
        return process.ExitCode;
    }

    /// <summary>Kills the silo outright (SIGKILL, as kill -9): no goodbye to the cluster, no grain handed over.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Add(line);
        }

        if (line.Contains("Ledger silo is ready", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }

    public static int FreePort() => Ledger.Grains.Tests.TestPorts.Free();
}
