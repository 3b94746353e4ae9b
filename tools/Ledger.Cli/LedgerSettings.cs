using System.Globalization;

namespace Ledger.Cli;

/// <summary>
/// Every setting of the tool, read from the environment and checked before anything starts: a value that is
/// not what its setting takes is refused with the setting's name.
/// </summary>
public sealed class LedgerSettings
{
    public const int SilosMax = 16;

    /// <summary>Every setting, in the order the help lists them.</summary>
    public static readonly IReadOnlyList<Setting> Catalog =
    [
        new("LEDGER_PG_PORT", "54329", "TCP port of the private PostgreSQL (127.0.0.1 only)"),
        new("LEDGER_PG_PASSWORD", "ledger", "password of the `ledger` role"),
        new("LEDGER_GATEWAY_PORT", "5080", "HTTP port of the gateway"),
        new("LEDGER_PAYMENTS_PORT", "5090", "HTTP port of the payment sandbox"),
        new("LEDGER_READY_TIMEOUT", "60", "seconds to wait for each silo, the gateway and the sandbox to be ready"),
        new("LEDGER_STOP_TIMEOUT", "45", "seconds a silo or the gateway gets to stop after SIGTERM, then SIGKILL"),
        new("LEDGER_SILO_PORT_BASE", "11111", "silo i listens on BASE+i-1 (silo to silo)"),
        new("LEDGER_SILO_GATEWAY_PORT_BASE", "30000", "silo i listens on BASE+i-1 (Orleans clients)"),
        new("LEDGER_METRICS_PORT_BASE", "9464", "silo i serves Prometheus at http://127.0.0.1:BASE+i-1/metrics"),
        new("LEDGER_BENCH_NOOP", "unset", "set: up runs the benchmark's silo and gateway (bench/Silo, bench/Gateway)"),
        new("LEDGER_PG_BIN", "found", "directory holding initdb, pg_ctl and postgres (newest /usr/lib/postgresql/N/bin)"),
        new("LEDGER_PG_OS_USER", "postgres", "(root only) the OS user that runs PostgreSQL"),
        new("LEDGER_CHROMIUM", "found", "headless Chromium for the browser tests (test installs Debian's when missing)"),
        new("Ledger__Silo__ClusterId", "ledger", "the Orleans cluster of the silos and the gateway (or Ledger__Cluster__ClusterId)"),
        new("Ledger__Silo__ServiceId", "ledger", "the Orleans service of the silos and the gateway (or Ledger__Cluster__ServiceId)"),
        new("Ledger__Silo__AdvertisedIp", "127.0.0.1", "the address the silos advertise (status reads membership by it)"),
        new("Ledger__Silo__MetricsHost", "127.0.0.1", "the host the silos' metrics listeners bind (+ is every address)"),
        new("Ledger__Auth__SigningKey", "made once: .ledger/signing-key", "the gateway's token key (32+ bytes); token signs with it"),
        new("Ledger__Auth__TokenLifetimeMaxHours", "24", "the longest lifetime a token may have (token --hours)"),
        new("Ledger__Dashboard__OperatorUser", "operator", "the dashboard's HTTP Basic user"),
        new("Ledger__Dashboard__OperatorPassword", "made once: .ledger/operator-password", "the dashboard's operator password"),
        new("Ledger__Payments__BaseUrl", "the sandbox", "the payment provider the silos use (docs/OPERATIONS.md)"),
        new("LEDGER_STATE_DIR", ".ledger in the clone", "where logs/, run/, pg/ and the secrets live (testing)"),
        new("LEDGER_SILO_CMD", "unset", "testing only: run `bash -c CMD` instead of the real silo (it prints the ready line)"),
        new("LEDGER_TEST_CMD", "unset", "testing only: test runs `bash -c CMD` instead of dotnet test"),
    ];

    private readonly Func<string, string?> environment;

    private LedgerSettings(Func<string, string?> environment)
    {
        this.environment = environment;
        PgPort = Port("LEDGER_PG_PORT", 54329);
        PgPassword = Text("LEDGER_PG_PASSWORD") ?? "ledger";
        GatewayPort = Port("LEDGER_GATEWAY_PORT", 5080);
        PaymentsPort = Port("LEDGER_PAYMENTS_PORT", 5090);
        ReadyTimeout = Seconds("LEDGER_READY_TIMEOUT", 60);
        StopTimeout = Seconds("LEDGER_STOP_TIMEOUT", 45);
        SiloPortBase = PortBase("LEDGER_SILO_PORT_BASE", 11111);
        SiloGatewayPortBase = PortBase("LEDGER_SILO_GATEWAY_PORT_BASE", 30000);
        MetricsPortBase = PortBase("LEDGER_METRICS_PORT_BASE", 9464);
        BenchNoop = Text("LEDGER_BENCH_NOOP") is not null;
        PgBin = Text("LEDGER_PG_BIN");
        PgOsUser = Text("LEDGER_PG_OS_USER") ?? "postgres";
        Chromium = Text("LEDGER_CHROMIUM");
        ClusterId = ClusterKey("ClusterId");
        ServiceId = ClusterKey("ServiceId");
        AdvertisedIp = Text("Ledger__Silo__AdvertisedIp") ?? "127.0.0.1";
        MetricsHost = Text("Ledger__Silo__MetricsHost") ?? "127.0.0.1";
        SigningKey = Text("Ledger__Auth__SigningKey");
        OperatorUser = Text("Ledger__Dashboard__OperatorUser") ?? "operator";
        OperatorPassword = Text("Ledger__Dashboard__OperatorPassword");
        PaymentsBaseUrl = Text("Ledger__Payments__BaseUrl");
        StateDir = Text("LEDGER_STATE_DIR");
        SiloCommand = Text("LEDGER_SILO_CMD");
        TestCommand = Text("LEDGER_TEST_CMD");
        CheckDistinctPorts();
    }

    public int PgPort { get; }

    public string PgPassword { get; }

    public int GatewayPort { get; }

    public int PaymentsPort { get; }

    public TimeSpan ReadyTimeout { get; }

    public TimeSpan StopTimeout { get; }

    public int SiloPortBase { get; }

    public int SiloGatewayPortBase { get; }

    public int MetricsPortBase { get; }

    public bool BenchNoop { get; }

    public string? PgBin { get; }

    public string PgOsUser { get; }

    public string? Chromium { get; }

    public string ClusterId { get; }

    public string ServiceId { get; }

    public string AdvertisedIp { get; }

    public string MetricsHost { get; }

    public string? SigningKey { get; }

    public string OperatorUser { get; }

    public string? OperatorPassword { get; }

    public string? PaymentsBaseUrl { get; }

    public string? StateDir { get; }

    public string? SiloCommand { get; }

    public string? TestCommand { get; }

    public string GatewayUrl => $"http://127.0.0.1:{GatewayPort}";

    public string PaymentsUrl => $"http://127.0.0.1:{PaymentsPort}";

    /// <summary>Reads and checks every setting; a wrong one is a <see cref="UserError"/> naming it.</summary>
    public static LedgerSettings Read(Func<string, string?>? environment = null) =>
        new(environment ?? Environment.GetEnvironmentVariable);

    public int SiloPort(int index) => SiloPortBase + index - 1;

    public int SiloGatewayPort(int index) => SiloGatewayPortBase + index - 1;

    public int MetricsPort(int index) => MetricsPortBase + index - 1;

    /// <summary>The ports silo <paramref name="index"/> takes, each with the setting it comes from.</summary>
    public IEnumerable<(int Port, string Setting)> SiloPorts(int index) =>
    [
        (SiloPort(index), $"LEDGER_SILO_PORT_BASE, silo {index}"),
        (SiloGatewayPort(index), $"LEDGER_SILO_GATEWAY_PORT_BASE, silo {index}"),
        (MetricsPort(index), $"LEDGER_METRICS_PORT_BASE, silo {index}"),
    ];

    /// <summary>Checks a silo count given on the command line.</summary>
    public static int SiloCount(int count, int min) =>
        count >= min && count <= SilosMax
            ? count
            : throw UserError.BadUsage($"the number of silos must be a whole number from {min} to {SilosMax} (got '{count}')");

    private string? Text(string name) => environment(name) is { Length: > 0 } value ? value : null;

    private int Port(string name, int fallback)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw UserError.BadUsage($"{name}={text} is not a port (1-65535)");
    }

    private int PortBase(string name, int fallback)
    {
        var port = Port(name, fallback);
        return port + SilosMax - 1 <= 65535
            ? port
            : throw UserError.BadUsage($"{name}={port} leaves no room for {SilosMax} silos (silo i listens on {name}+i-1, at most 65535)");
    }

    private TimeSpan Seconds(string name, int fallback)
    {
        var text = Text(name);
        if (text is null)
        {
            return TimeSpan.FromSeconds(fallback);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw UserError.BadUsage($"{name}={text} is not a positive whole number of seconds (at most 86400)");
    }

    // The silos read their cluster and service id from Ledger:Silo:*, the gateway from Ledger:Cluster:*. Whichever the
    // operator sets names the one cluster both are given; two different ids would make two clusters.
    private string ClusterKey(string key)
    {
        var siloKey = $"Ledger__Silo__{key}";
        var gatewayKey = $"Ledger__Cluster__{key}";
        var silo = Text(siloKey);
        var gateway = Text(gatewayKey);
        return silo is not null && gateway is not null && silo != gateway
            ? throw UserError.BadUsage(
                $"{siloKey} ('{silo}') and {gatewayKey} ('{gateway}') differ: the silos and the gateway would not meet; set one of them")
            : silo ?? gateway ?? "ledger";
    }

    private void CheckDistinctPorts()
    {
        var ports = new List<(int Low, int High, string Setting)>
        {
            (PgPort, PgPort, "LEDGER_PG_PORT"),
            (GatewayPort, GatewayPort, "LEDGER_GATEWAY_PORT"),
            (PaymentsPort, PaymentsPort, "LEDGER_PAYMENTS_PORT"),
            (SiloPortBase, SiloPortBase + SilosMax - 1, "LEDGER_SILO_PORT_BASE"),
            (SiloGatewayPortBase, SiloGatewayPortBase + SilosMax - 1, "LEDGER_SILO_GATEWAY_PORT_BASE"),
            (MetricsPortBase, MetricsPortBase + SilosMax - 1, "LEDGER_METRICS_PORT_BASE"),
        };
        foreach (var (a, i) in ports.Select((p, i) => (p, i)))
        {
            if (ports.Skip(i + 1).FirstOrDefault(b => a.Low <= b.High && b.Low <= a.High) is { Setting: not null } clash)
            {
                throw UserError.BadUsage(
                    $"{a.Setting} ({Range(a)}) and {clash.Setting} ({Range(clash)}) overlap: each process needs ports of its own");
            }
        }

        static string Range((int Low, int High, string Setting) p) => p.Low == p.High ? $"{p.Low}" : $"{p.Low}-{p.High}";
    }
}
