using System.Diagnostics;
using System.Globalization;

namespace Ledger.Cli;

/// <summary>
/// The silos of the clone. Silo i (1, 2, ...) listens on the bases' ports + i-1, writes .ledger/logs/silo-i.log and has
/// its pid in .ledger/run/silo-i.pid. All join one cluster through the membership table. A pid file stays behind only
/// when a silo died without being stopped (kill -9, a crash): status shows it, scale or up restarts it.
/// </summary>
public sealed class Silos(LedgerSettings settings, LedgerPaths paths, Hosts hosts)
{
    public const string ReadyLine = "Ledger silo is ready";
    private const string RefusalLine = "Ledger silo refuses to start:";
    private readonly List<int> launched = [];
    private string[]? command;

    /// <summary>The silos this invocation started, in order.</summary>
    public IReadOnlyList<int> Launched => launched;

    public string Log(int index) => Path.Combine(paths.Logs, $"silo-{index}.log");

    public PidFile PidFile(int index) => new(Path.Combine(paths.Run, $"silo-{index}.pid"), $"LEDGER_SILO_HOME={paths.Home}");

    public int? Pid(int index) => PidFile(index).LivePid();

    /// <summary>An older ./ledger kept the one silo's pid in run/silo.pid: it is silo 1.</summary>
    public void AdoptLegacy()
    {
        var legacy = Path.Combine(paths.Run, "silo.pid");
        if (File.Exists(legacy) && !PidFile(1).Exists)
        {
            File.Move(legacy, PidFile(1).Path);
        }
    }

    /// <summary>The silos with a pid file (running, or died unstopped), in order.</summary>
    public IReadOnlyList<int> Indexes() => Directory.Exists(paths.Run)
        ? [.. Directory.GetFiles(paths.Run, "silo-*.pid")
            .Select(file => Path.GetFileNameWithoutExtension(file)["silo-".Length..])
            .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0)
            .Where(i => i > 0).Order()]
        : [];

    public IReadOnlyList<int> Running() => [.. Indexes().Where(i => Pid(i) is not null)];

    /// <summary>The slots a scale to <paramref name="want"/> would start: the lowest free ones.</summary>
    public IReadOnlyList<int> SlotsToStart(int want)
    {
        var running = Running();
        var missing = new List<int>();
        for (var i = 1; running.Count + missing.Count < want; i++)
        {
            if (!running.Contains(i))
            {
                missing.Add(i);
            }
        }

        return missing;
    }

    /// <summary>Starts silos from the build that is there, without building (the chaos drill's repair).</summary>
    public void UseBuiltSilo() =>
        command = ["dotnet", hosts.FindSiloDll() ?? throw new UserError("no silo assembly under the silo project's bin/Release/")];

    /// <summary>
    /// Brings the number of running silos to <paramref name="want"/>: starts the lowest free slots (which restarts a silo
    /// that died), or stops the highest running ones one at a time, so each hands its grains to the rest.
    /// </summary>
    public async Task ScaleAsync(int want, string connectionString)
    {
        var running = Running();
        foreach (var i in Indexes().Where(i => !running.Contains(i)))
        {
            Out.Warn($"silo {i} had died (pid file left behind); its slot is free");
            PidFile(i).Delete();
        }

        if (running.Count < want)
        {
            await StartAsync(SlotsToStart(want), connectionString);
        }

        foreach (var i in running.Skip(want).Reverse())
        {
            Stop(i);
        }
    }

    /// <summary>SIGTERM: Orleans leaves the cluster gracefully and hands its grains over; SIGKILL after the stop timeout.</summary>
    public bool Stop(int index)
    {
        if (Pid(index) is not { } pid)
        {
            PidFile(index).Delete();
            return false;
        }

        Out.Say($"stopping silo {index} (pid {pid})...");
        Detached.Stop(pid, $"silo {index}", settings.StopTimeout);
        PidFile(index).Delete();
        return true;
    }

    /// <summary>kill -9 of the silo listening on <paramref name="siloPort"/>; returns what was done.</summary>
    public string Kill(int siloPort)
    {
        foreach (var i in Running())
        {
            if (settings.SiloPort(i) == siloPort && Pid(i) is { } pid)
            {
                Posix.Signal(pid, Posix.SigKill);
                return $"kill -9 silo {i} (pid {pid}, silo port {siloPort})";
            }
        }

        throw new UserError($"no silo started by ./ledger listens on port {siloPort}");
    }

    private async Task StartAsync(IReadOnlyList<int> indexes, string connectionString)
    {
        var processes = indexes.Select(i => (Index: i, Process: Launch(i, connectionString))).ToList();
        Out.Say($"waiting up to {settings.ReadyTimeout.TotalSeconds:F0}s for each silo's \"{ReadyLine}\"...");
        foreach (var (index, process) in processes)
        {
            await WaitReadyAsync(index, process);
        }
    }

    private string[] Command()
    {
        if (command is not null)
        {
            return command;
        }

        if (settings.SiloCommand is { } standIn)
        {
            Out.Warn("LEDGER_SILO_CMD is set: running a stand-in instead of the real silo (testing only)");
            command = ["bash", "-c", standIn];
        }
        else if (Running().Count > 0 && hosts.FindSiloDll() is { } dll)
        {
            // Building would overwrite the running silos' assemblies, and a new silo could run other code than its cluster.
            Out.Say("silos are running: starting more from the same build, not rebuilding (./ledger down, then up, to run new code)");
            command = ["dotnet", dll];
        }
        else
        {
            hosts.Build();
            command = ["dotnet", hosts.FindSiloDll() ?? throw new UserError("build succeeded but no silo assembly found")];
        }

        return command;
    }

    private Process Launch(int index, string connectionString)
    {
        paths.EnsureDirectories();
        var process = Detached.Start(Command(), Log(index), new Dictionary<string, string>
        {
            ["ConnectionStrings__Ledger"] = connectionString,
            ["Ledger__Silo__SiloPort"] = $"{settings.SiloPort(index)}",
            ["Ledger__Silo__GatewayPort"] = $"{settings.SiloGatewayPort(index)}",
            ["Ledger__Silo__MetricsPort"] = $"{settings.MetricsPort(index)}",
            ["Ledger__Silo__MetricsHost"] = settings.MetricsHost,
            ["Ledger__Silo__ClusterId"] = settings.ClusterId,
            ["Ledger__Silo__ServiceId"] = settings.ServiceId,
            ["Ledger__Payments__BaseUrl"] = settings.PaymentsBaseUrl ?? settings.PaymentsUrl,
            ["LEDGER_SILO_HOME"] = paths.Home,
            ["LEDGER_SILO_INDEX"] = $"{index}",
        }, paths.Root);
        PidFile(index).Write(process.Id);
        launched.Add(index);
        Out.Say($"silo {index} starting (pid {process.Id}, silo port {settings.SiloPort(index)}, gateway port {settings.SiloGatewayPort(index)}, " +
            $"metrics port {settings.MetricsPort(index)})");
        return process;
    }

    private async Task WaitReadyAsync(int index, Process process)
    {
        var log = Log(index);
        var waited = Stopwatch.StartNew();
        while (!LogSays(log, ReadyLine))
        {
            Interrupt.ThrowIfRequested();
            if (process.HasExited)
            {
                PidFile(index).Delete();
                Detached.ShowTail(log);
                // A schema the silo must not run against (db/README.md): its own words say what to do.
                if (File.ReadLines(log).FirstOrDefault(line => line.Contains(RefusalLine, StringComparison.Ordinal)) is { } refusal)
                {
                    throw new UserError($"silo {index}: {refusal[(refusal.IndexOf(RefusalLine, StringComparison.Ordinal) + "Ledger silo ".Length)..]}");
                }

                throw new UserError($"silo {index} exited (code {process.ExitCode}) before becoming ready " +
                    $"(are ports {settings.SiloPort(index)}/{settings.SiloGatewayPort(index)}/{settings.MetricsPort(index)} in use? " +
                    "set LEDGER_SILO_PORT_BASE, LEDGER_SILO_GATEWAY_PORT_BASE, LEDGER_METRICS_PORT_BASE)");
            }

            if (waited.Elapsed >= settings.ReadyTimeout)
            {
                Detached.ShowTail(log);
                Out.Warn($"silo {index} not ready after {settings.ReadyTimeout.TotalSeconds:F0}s; stopping it");
                Stop(index);
                throw new UserError($"silo {index} did not become ready within {settings.ReadyTimeout.TotalSeconds:F0}s");
            }

            await Task.Delay(500);
        }

        Out.Say($"silo {index} is ready (pid {process.Id})");
    }

    private static bool LogSays(string log, string line)
    {
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd().Contains(line, StringComparison.Ordinal);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }
}
