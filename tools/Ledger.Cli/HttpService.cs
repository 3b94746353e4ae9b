using System.Diagnostics;

namespace Ledger.Cli;

/// <summary>An HTTP process of the clone (the gateway, the payment sandbox): started detached, ready once a path answers.</summary>
public sealed class HttpService
{
    private readonly LedgerSettings settings;
    private readonly LedgerPaths paths;
    private readonly string readyPath;
    private readonly string portSetting;
    private readonly int port;

    private HttpService(
        LedgerSettings settings, LedgerPaths paths, string name, string file, string marker, string readyPath, string portSetting, int port)
    {
        this.settings = settings;
        this.paths = paths;
        this.readyPath = readyPath;
        this.portSetting = portSetting;
        this.port = port;
        Name = name;
        Log = Path.Combine(paths.Logs, $"{file}.log");
        PidFile = new PidFile(Path.Combine(paths.Run, $"{file}.pid"), $"{marker}={paths.Home}");
    }

    public string Name { get; }

    public string Log { get; }

    public PidFile PidFile { get; }

    public string Url => $"http://127.0.0.1:{port}";

    public static HttpService Gateway(LedgerSettings settings, LedgerPaths paths) =>
        new(settings, paths, "gateway", "gateway", "LEDGER_GATEWAY_HOME", "/health/ready", "LEDGER_GATEWAY_PORT", settings.GatewayPort);

    public static HttpService Payments(LedgerSettings settings, LedgerPaths paths) =>
        new(settings, paths, "payment sandbox", "payments", "LEDGER_PAYMENTS_HOME", "/sandbox/faults", "LEDGER_PAYMENTS_PORT", settings.PaymentsPort);

    public int? Pid() => PidFile.LivePid();

    /// <summary>Starts <paramref name="dll"/> on <see cref="Url"/> and waits until it answers (it is stopped if it does not).</summary>
    public async Task StartAsync(string dll, Dictionary<string, string> environment, string saying)
    {
        paths.EnsureDirectories();
        environment[PidFile.Marker.Split('=')[0]] = paths.Home;
        using var process = Detached.Start(["dotnet", dll, "--urls", Url], Log, environment, paths.Root);
        PidFile.Write(process.Id);
        Out.Say($"{saying} (pid {process.Id}) on {Url}, waiting up to {settings.ReadyTimeout.TotalSeconds:F0}s for {readyPath}...");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (!await AnswersAsync(http))
        {
            Interrupt.ThrowIfRequested();
            if (process.HasExited || waited.Elapsed >= settings.ReadyTimeout)
            {
                Detached.ShowTail(Log);
                Stop();
                throw new UserError($"the {Name} did not become ready (is port {port} in use? set {portSetting})");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>SIGTERM (ASP.NET Core drains its requests), then SIGKILL after the stop timeout; false when it was not running.</summary>
    public bool Stop()
    {
        if (Pid() is not { } pid)
        {
            PidFile.Delete();
            return false;
        }

        Out.Say($"stopping the {Name} (pid {pid})...");
        Detached.Stop(pid, Name, settings.StopTimeout);
        PidFile.Delete();
        return true;
    }

    private async Task<bool> AnswersAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(Url + readyPath);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
