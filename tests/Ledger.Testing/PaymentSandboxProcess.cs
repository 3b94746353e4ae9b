using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Ledger.Testing;

/// <summary>
/// The payment sandbox (tools/PaymentSandbox) run as its own process on a free loopback port, as <c>./ledger up</c>
/// runs it, with its record in the given database. The silos reach it over HTTP exactly as a real provider.
/// </summary>
public sealed class PaymentSandboxProcess : IAsyncDisposable
{
    private readonly Process process;

    private PaymentSandboxProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>A client of the sandbox's own endpoints (faults, payers) and the bank's.</summary>
    public HttpClient Client { get; }

    public static async Task<PaymentSandboxProcess> StartAsync(string connectionString)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [SandboxAssembly()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Sandbox"] = connectionString;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The payment sandbox did not start.");
        // Drain its output so it never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sandbox = new PaymentSandboxProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        await sandbox.WaitReadyAsync();
        return sandbox;
    }

    /// <summary>Sets the sandbox's faults (API.md, "The payment sandbox"); <c>new { }</c> clears them.</summary>
    public async Task SetFaultsAsync(object faults)
    {
        using var response = await Client.PutAsJsonAsync("sandbox/faults", faults);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>What the provider withdrew from a payer and returned to them, in won: its own truth.</summary>
    public async Task<PayerMoney> PayerAsync(string citizenId) =>
        (await Client.GetFromJsonAsync<PayerMoney>($"sandbox/payers/{Uri.EscapeDataString(citizenId)}"))!;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await Client.GetAsync("sandbox/faults");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                // Not listening yet.
            }

            if (process.HasExited || DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"The payment sandbox did not come up on {BaseAddress} (exited: {process.HasExited}).");
            }

            await Task.Delay(100);
        }
    }

    private static string SandboxAssembly()
    {
        // This assembly sits in tests/<project>/bin/<configuration>/<framework>/; the sandbox's build output mirrors it.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        for (var root = here; root is not null; root = root.Parent)
        {
            var candidate = Path.Combine(root.FullName, "tools", "PaymentSandbox", "bin", configuration, framework, "PaymentSandbox.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"No PaymentSandbox.dll built for {configuration}/{framework} above {here.FullName}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A payer's money at the provider: withdrawn from them and returned to them, in won.</summary>
public sealed record PayerMoney(long Withdrawn, long Returned)
{
    public long Net => Withdrawn - Returned;
}
