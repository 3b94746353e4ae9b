using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Testing;

namespace Ledger.Cli;

/// <summary>
/// The clone's private PostgreSQL: never the system cluster. As root it runs as an unprivileged OS user (PostgreSQL
/// refuses root), otherwise as the user. Its files live in .ledger/pg, or, when root cannot hand the clone to that
/// user (a clone under /root), in /var/lib/ledger/ledger-UID-HASH.
/// </summary>
public sealed class Postgres
{
    private readonly LedgerSettings settings;
    private readonly LedgerPaths paths;

    private Postgres(LedgerSettings settings, LedgerPaths paths, string bin)
    {
        this.settings = settings;
        this.paths = paths;
        Bin = bin;
        OsUser = EnsureOsUser(settings);
        Home = ChooseHome();
    }

    public string Bin { get; }

    public string OsUser { get; }

    public string Home { get; }

    public string Data => Path.Combine(Home, "data");

    public string Log => Path.Combine(Home, "postgresql.log");

    public string Socket => SocketDirectory(paths, Home);

    /// <summary>Whether this invocation started it (and so stops it when a test or bench run ends).</summary>
    public bool StartedHere { get; private set; }

    /// <summary>The file that tells tests and tools where the database is while it runs (tests/Ledger.Testing reads it).</summary>
    public string ConnectionFile => Path.Combine(paths.Run, PostgresRunFile.FileName);

    /// <summary>The installed server, or null when PostgreSQL is not installed (status, down and psql have nothing to do).</summary>
    public static Postgres? Open(LedgerSettings settings, LedgerPaths paths) =>
        FindBin(settings) is { } bin ? new Postgres(settings, paths, bin) : null;

    /// <summary>The server, installed with apt-get first when missing (as root, or through sudo -n).</summary>
    public static Postgres Install(LedgerSettings settings, LedgerPaths paths)
    {
        if (FindBin(settings) is null)
        {
            Apt.Install("postgresql", "PostgreSQL not found; installing it with apt-get (postgresql)...",
                "PostgreSQL server is not installed and I cannot become root.\n  Ask an administrator to run:  apt-get update && apt-get install -y postgresql");
        }

        return Open(settings, paths) ?? throw new UserError("apt-get installed postgresql but initdb/pg_ctl were not found");
    }

    public bool IsRunning => File.Exists(Path.Combine(Data, "PG_VERSION")) && AsPg(Tool("pg_ctl"), ["status", "-D", Data]).ExitCode == 0;

    /// <summary>The port of the running server (the 4th line of postmaster.pid).</summary>
    public int? RunningPort => PostmasterLine(3);

    /// <summary>The server's pid (the 1st line of postmaster.pid).</summary>
    public int? Pid => PostmasterLine(0);

    /// <summary>Starts it if needed and writes <see cref="ConnectionFile"/>.</summary>
    public void Start()
    {
        InitOnce();
        if (IsRunning)
        {
            if (RunningPort != settings.PgPort)
            {
                throw new UserError($"PostgreSQL is already running on port {RunningPort}, not {settings.PgPort}; run ./ledger down first");
            }

            WriteConnectionFile();
            return;
        }

        WriteConfig();
        Out.Say($"starting PostgreSQL on 127.0.0.1:{settings.PgPort} (data: {Data})");
        if (AsPg(Tool("pg_ctl"), ["start", "-D", Data, "-l", Log, "-w", "-t", "60"]).ExitCode != 0)
        {
            Detached.ShowTail(Log, 20);
            throw new UserError($"PostgreSQL did not start (is port {settings.PgPort} (LEDGER_PG_PORT) in use?)");
        }

        StartedHere = true;
        WriteConnectionFile();
        Interrupt.ThrowIfRequested();
    }

    /// <summary>A fast stop (sessions cut, a checkpoint written); false when it was not running.</summary>
    public bool Stop()
    {
        File.Delete(ConnectionFile);
        if (!IsRunning)
        {
            return false;
        }

        AsPg(Tool("pg_ctl"), ["stop", "-D", Data, "-m", "fast", "-w", "-t", "60"]);
        return true;
    }

    /// <summary>Immediate mode: no checkpoint, connections cut; like a crash, it replays its WAL when it starts.</summary>
    public void Crash() => AsPg(Tool("pg_ctl"), ["stop", "-D", Data, "-m", "immediate", "-w", "-t", "60"]);

    /// <summary>SQL as the superuser over the private socket (peer authentication, no password).</summary>
    public void AdminSql(string sql)
    {
        var (code, output) = AsPg(
            Tool("psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", Socket, "-p", $"{settings.PgPort}", "-d", "postgres"], sql);
        if (code != 0)
        {
            throw new UserError($"psql as {OsUser} failed: {output.Trim()}");
        }
    }

    /// <summary>
    /// Role <c>ledger</c> (its password set each time, so a new LEDGER_PG_PASSWORD works) owning databases <c>ledger</c> and
    /// <c>ledger_test</c> (where a plain <c>dotnet test</c> works, beside the data of <c>up</c>).
    /// </summary>
    public void EnsureRoleAndDatabase() => AdminSql($"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger') THEN CREATE ROLE ledger LOGIN; END IF;
        END $$;
        ALTER ROLE ledger WITH LOGIN PASSWORD '{Quote(settings.PgPassword)}';
        SELECT 'CREATE DATABASE ledger OWNER ledger'
         WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ledger')\gexec
        SELECT 'CREATE DATABASE ledger_test OWNER ledger'
         WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ledger_test')\gexec
        """);

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={settings.PgPort};Database={database};Username=ledger;Password={ConnectionValue(settings.PgPassword)};";

    public string Tool(string name) => Path.Combine(Bin, name);

    /// <summary>Runs a command as the PostgreSQL OS user, from / (the caller's directory may be closed to it).</summary>
    public (int ExitCode, string Output) AsPg(string file, IEnumerable<string> args, string? input = null) => Posix.IsRoot
        ? Posix.Run("runuser", ["-u", OsUser, "--", file, .. args], input, "/")
        : Posix.Run(file, args, input, "/");

    /// <summary>A value for an Npgsql connection string: quoted when it holds separators, quotes or edge spaces.</summary>
    public static string ConnectionValue(string value) =>
        value.IndexOfAny([';', '"', '\'', '=']) >= 0 || value != value.Trim() ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    // Newest installed server binaries; Debian keeps them off PATH in /usr/lib/postgresql/N/bin.
    private static string? FindBin(LedgerSettings settings)
    {
        if (settings.PgBin is { } configured)
        {
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
        }

        var newest = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")) && File.Exists(Path.Combine(d.Dir, "pg_ctl")))
                .OrderBy(d => d.Version).Select(d => d.Dir).LastOrDefault()
            : null;
        return newest ?? (Posix.Which("initdb") is { } initdb && Posix.Which("pg_ctl") is not null
            ? Path.GetDirectoryName(new FileInfo(initdb).ResolveLinkTarget(true)?.FullName ?? initdb)
            : null);
    }

    private static string EnsureOsUser(LedgerSettings settings)
    {
        if (!Posix.IsRoot)
        {
            return Environment.UserName;
        }

        if (Posix.Run("id", ["-u", settings.PgOsUser]).ExitCode != 0)
        {
            Out.Say($"creating system user {settings.PgOsUser} to run PostgreSQL (it refuses to run as root)");
            Must(Posix.Run("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", settings.PgOsUser]), "useradd");
        }

        return settings.PgOsUser;
    }

    private static string SocketDirectory(LedgerPaths paths, string home)
    {
        var socket = Path.Combine(home, "sock");
        // Unix socket paths are limited to about 107 bytes; a deep clone would make PostgreSQL fail.
        return socket.Length + 16 > 100 ? $"/tmp/ledger-{Posix.EffectiveUserId}-{Hash(paths.Home)}" : socket;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..10];

    private static void Must((int ExitCode, string Output) result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new UserError($"{what} failed: {result.Output.Trim()}");
        }
    }

    // Escapes a single-quoted SQL or postgresql.conf literal.
    private static string Quote(string text) => text.Replace("'", "''", StringComparison.Ordinal);

    private string ChooseHome()
    {
        var external = $"/var/lib/ledger/ledger-{Posix.EffectiveUserId}-{Hash(paths.Home)}";
        paths.EnsureDirectories();
        string home;
        if (!Posix.IsRoot)
        {
            home = Path.Combine(paths.State, "pg");
        }
        else if (File.Exists(Path.Combine(external, "data", "PG_VERSION")))
        {
            home = external; // sticky: keep using data created earlier
        }
        else
        {
            home = Posix.Run("runuser", ["-u", OsUser, "--", "test", "-x", paths.State]).ExitCode == 0 ? Path.Combine(paths.State, "pg") : external;
        }

        foreach (var dir in new[] { home, SocketDirectory(paths, home) })
        {
            if (!Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir);
                if (Posix.IsRoot)
                {
                    Must(Posix.Run("chown", [$"{OsUser}:", dir]), "chown");
                }
            }

            var owner = Posix.Run("stat", ["-c", "%U", dir]).Output.Trim();
            if (owner != OsUser)
            {
                throw new UserError($"{dir} belongs to {owner}, but PostgreSQL would run as {OsUser} (was this clone used by another user?)");
            }

            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return home;
    }

    private void InitOnce()
    {
        if (File.Exists(Path.Combine(Data, "PG_VERSION")))
        {
            return;
        }

        Out.Say($"initialising PostgreSQL data directory {Data}");
        // Superuser = the OS user, reachable only via peer auth on the private socket.
        // C collation: deterministic, fast; checksums: catch storage corruption early.
        var (code, output) = AsPg(Tool("initdb"), ["-D", Data, "-U", OsUser, "-E", "UTF8", "--no-locale", "--data-checksums",
            "--auth-local=peer", "--auth-host=scram-sha-256"]);
        File.WriteAllText(Path.Combine(paths.Logs, "initdb.log"), output);
        if (code != 0)
        {
            Console.Error.Write(output);
            throw new UserError("initdb failed");
        }

        AsPg("tee", ["-a", Path.Combine(Data, "postgresql.conf")], "include_if_exists = 'ledger.conf'\n");
    }

    // Our settings live in ledger.conf, rewritten before every start so that settings like the port take effect;
    // postgresql.conf stays initdb's. Durability is left at its safe defaults (fsync, synchronous_commit, full_page_writes).
    private void WriteConfig()
    {
        AsPg("tee", [Path.Combine(Data, "ledger.conf")], $"""
            # Written by ./ledger on every start; edits here are overwritten.
            listen_addresses = '127.0.0.1'
            port = {settings.PgPort}
            unix_socket_directories = '{Quote(Socket)}'
            unix_socket_permissions = 0700
            password_encryption = 'scram-sha-256'
            # Sized for a 2-core / 24 GiB box with many (pooled) connections.
            max_connections = 200
            shared_buffers = 512MB
            effective_cache_size = 12GB
            work_mem = 8MB
            maintenance_work_mem = 256MB
            max_wal_size = 2GB
            min_wal_size = 256MB
            checkpoint_completion_target = 0.9
            random_page_cost = 1.1
            effective_io_concurrency = 200
            max_worker_processes = 4
            max_parallel_workers = 2
            max_parallel_workers_per_gather = 1
            log_line_prefix = '%m [%p] %q%u@%d '

            """);
        // Superuser only over the private socket (peer); everyone else by password over TCP.
        AsPg("tee", [Path.Combine(Data, "pg_hba.conf")], """
            # Written by ./ledger on every start; edits here are overwritten.
            local   all   all                  peer
            host    all   all   127.0.0.1/32   scram-sha-256

            """);
    }

    private void WriteConnectionFile()
    {
        var json = new PostgresRunFile("127.0.0.1", settings.PgPort, "ledger", settings.PgPassword, "ledger").ToJson();
        File.Delete(ConnectionFile);
        using var file = new FileStream(ConnectionFile, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        file.Write(Encoding.UTF8.GetBytes(json + "\n"));
    }

    private int? PostmasterLine(int index)
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(Data, "postmaster.pid"));
            return lines.Length > index && int.TryParse(lines[index].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
