using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>status [--json]</c>: PostgreSQL, the gateway, the sandbox and each silo (pid, ports, membership status). Exits 0
/// only if PostgreSQL, the sandbox, the gateway and at least one silo run and no silo died unstopped, else 3.
/// </summary>
public static class StatusCommand
{
    public const int NotAllRunning = 3;

    public static int Run(Clone clone, bool json)
    {
        var state = Read(clone);
        if (json)
        {
            Console.WriteLine(Json(clone, state));
        }
        else
        {
            Print(clone, state);
        }

        return state.AllRunning ? 0 : NotAllRunning;
    }

    public static string Json(Clone clone, Snapshot state)
    {
        var settings = clone.Settings;
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("database");
            json.WriteString("state", state.Database);
            json.WriteString("host", "127.0.0.1");
            json.WriteNumber("port", state.DatabasePort);
            json.WriteString("database", "ledger");
            json.WriteString("user", "ledger");
            json.WriteString("data", state.Postgres?.Data);
            json.WriteString("log", state.Postgres?.Log);
            json.WriteEndObject();
            json.WriteStartObject("gateway");
            json.WriteString("state", state.Gateway is null ? "stopped" : "running");
            WriteNumberOrNull(json, "pid", state.Gateway);
            json.WriteString("url", settings.GatewayUrl);
            json.WriteString("dashboard", settings.GatewayUrl + "/dashboard/");
            json.WriteString("log", clone.Gateway.Log);
            json.WriteEndObject();
            json.WriteStartObject("payments");
            json.WriteString("state", state.Payments is null ? "stopped" : "running");
            WriteNumberOrNull(json, "pid", state.Payments);
            json.WriteString("url", settings.PaymentsUrl);
            json.WriteString("log", clone.Payments.Log);
            json.WriteEndObject();
            json.WriteString("cluster", settings.ClusterId);
            json.WriteString("service", settings.ServiceId);
            json.WriteStartArray("silos");
            foreach (var silo in state.Silos)
            {
                json.WriteStartObject();
                json.WriteNumber("index", silo.Index);
                json.WriteString("state", silo.Pid is null ? "died" : "running");
                WriteNumberOrNull(json, "pid", silo.Pid);
                json.WriteNumber("siloPort", settings.SiloPort(silo.Index));
                json.WriteNumber("gatewayPort", settings.SiloGatewayPort(silo.Index));
                json.WriteNumber("metricsPort", settings.MetricsPort(silo.Index));
                json.WriteString("metrics", $"http://127.0.0.1:{settings.MetricsPort(silo.Index)}/metrics");
                json.WriteString("status", silo.Membership);
                json.WriteString("log", clone.Silos.Log(silo.Index));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WritePropertyName("members");
            if (state.MembersJson is { } members)
            {
                json.WriteRawValue(members);
            }
            else
            {
                json.WriteNullValue();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static Snapshot Read(Clone clone)
    {
        var settings = clone.Settings;
        var pg = clone.OpenPostgres();
        var running = pg is { IsRunning: true };
        var database = pg is null ? "not installed" : running ? "running" : "stopped";
        var port = running ? pg!.RunningPort ?? settings.PgPort : settings.PgPort;
        var connection = pg?.ConnectionString("ledger");
        var byPort = running ? Membership.StatusByPort(connection!, settings.ClusterId, settings.AdvertisedIp) : [];
        var silos = clone.Silos.Indexes()
            .Select(i => new SiloState(i, clone.Silos.Pid(i), byPort.GetValueOrDefault(settings.SiloPort(i))))
            .ToList();
        var members = running ? Membership.MembersJson(connection!, settings.ClusterId) : null;
        return new Snapshot(database, port, pg, clone.Gateway.Pid(), clone.Payments.Pid(), silos, members);
    }

    private static void Print(Clone clone, Snapshot state)
    {
        var settings = clone.Settings;
        Out.Say(state.Database switch
        {
            "running" => $"PostgreSQL: running on 127.0.0.1:{state.DatabasePort} (data: {state.Postgres!.Data})",
            "stopped" => $"PostgreSQL: stopped (data: {state.Postgres!.Data})",
            _ => $"PostgreSQL: {state.Database}",
        });
        Out.Say(state.Gateway is { } gateway
            ? $"gateway: running on {settings.GatewayUrl} (pid {gateway}, dashboard {settings.GatewayUrl}/dashboard/, log: {clone.Gateway.Log})"
            : $"gateway: stopped (log: {clone.Gateway.Log})");
        Out.Say(state.Payments is { } payments
            ? $"payment sandbox: running on {settings.PaymentsUrl} (pid {payments}, log: {clone.Payments.Log})"
            : $"payment sandbox: stopped (log: {clone.Payments.Log})");
        if (state.Silos.Count == 0)
        {
            Out.Say("silos: none running");
            return;
        }

        var runningCount = state.Silos.Count(s => s.Pid is not null);
        Out.Say($"silos of cluster '{settings.ClusterId}' (service '{settings.ServiceId}'): {runningCount} of {state.Silos.Count} running");
        var table = new Table().Border(TableBorder.Simple).AddColumns("silo", "pid", "ports: silo, gateway, metrics", "membership", "log");
        foreach (var silo in state.Silos)
        {
            var membership = state.Database != "running" ? "unknown (PostgreSQL is not running)" : silo.Membership ?? "not in the membership table";
            table.AddRow(
                $"{silo.Index}",
                silo.Pid is { } pid ? $"{pid}" : "[red]DIED[/] unstopped: scale or up restarts it",
                $"{settings.SiloPort(silo.Index)}, {settings.SiloGatewayPort(silo.Index)}, {settings.MetricsPort(silo.Index)}",
                Markup.Escape(membership),
                Markup.Escape(clone.Paths.Relative(clone.Silos.Log(silo.Index))));
        }

        if (Console.IsOutputRedirected)
        {
            // Not a terminal: no width to fit, so no wrapping of a row.
            AnsiConsole.Profile.Width = 200;
        }

        AnsiConsole.Write(table);
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    public sealed record SiloState(int Index, int? Pid, string? Membership);

    public sealed record Snapshot(
        string Database, int DatabasePort, Postgres? Postgres, int? Gateway, int? Payments, IReadOnlyList<SiloState> Silos, string? MembersJson)
    {
        public bool AllRunning => Database == "running" && Gateway is not null && Payments is not null
            && Silos.Count > 0 && Silos.All(s => s.Pid is not null);
    }
}
