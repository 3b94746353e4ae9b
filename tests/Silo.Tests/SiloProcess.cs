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

    /// <param name="settings">More environment variables, e.g. <c>("Ledger__Silo__MetricsPort", "9464")</c>.</param>
    public static async Task<SiloProcess> StartAsync(
        string connectionString, string clusterId, params (string Name, string Value)[] settings)
    {
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
        start.Environment["Ledger__Silo__SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Ledger__Silo__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var silo = new SiloProcess(Process.Start(start)!);
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
        using (var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(timeout);
        return process.ExitCode;
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
