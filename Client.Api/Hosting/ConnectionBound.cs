using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// How many connections the gateway holds at once: below what its file limit leaves once the handles it holds
/// when this is sized (nearly all loaded assemblies) and a margin for what it opens later (listening sockets,
/// the cluster's and the database's connections, logs) are counted.
/// Past the bound a new connection is closed as soon as it is accepted, which costs the gateway little and tells
/// the client to come back; without it, a 09:00 crowd takes every file handle, and then accepting a socket,
/// loading an assembly or opening a database connection fails inside the process.
/// </summary>
/// <param name="Connections">The bound the accept loop keeps (<see cref="BoundedListenerFactory"/>).</param>
/// <param name="FileLimit">The file limit found (after raising the soft limit to the hard one), if known.</param>
/// <param name="FileLimitBefore">The soft limit the process was started with, if known.</param>
/// <param name="OpenAtStart">The handles held when the bound was sized, if known.</param>
/// <param name="ManagementPort">A port left out of the bound, serving only health and metrics, if set.</param>
public sealed record ConnectionBound(long Connections, long? FileLimit, long? FileLimitBefore, int? OpenAtStart, int? ManagementPort)
{
    /// <summary>
    /// Setting: a port (also among the gateway's URLs) whose connections the bound leaves out and which serves
    /// only <c>/health/*</c> and <c>/metrics</c>, so that probes reach a gateway at its bound.
    /// </summary>
    public const string ManagementPortSetting = "Ledger:Gateway:ManagementPort";

    /// <summary>Setting: an upper bound an operator may set (for example from the memory a container is given).</summary>
    public const string ConnectionsMaxSetting = "Ledger:Gateway:ConnectionsMax";

    /// <summary>Setting: seconds an idle kept-alive connection is held before it is closed.</summary>
    public const string KeepAliveSecondsSetting = "Ledger:Gateway:KeepAliveSeconds";

    /// <summary>Without a file limit to size from, and the most a gateway holds unless told otherwise.</summary>
    public const long ConnectionsMaxDefault = 16_384;

    /// <summary>
    /// Idle connections count against the bound, so they are let go sooner than Kestrel's 130 s: a phone
    /// that retries within its Retry-After still finds its connection, one that went away frees its place.
    /// </summary>
    public const int KeepAliveSecondsDefault = 15;

    /// <summary>How long a connection may take to send its request's headers: a silent one holds a place meanwhile.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Handles kept free for what the process opens after start, at least this many...</summary>
    public const long MarginMin = 256;

    /// <summary>...or this share of the limit, whichever is larger.</summary>
    public const double MarginShare = 0.1;

    /// <summary>Raises the soft file limit to the hard one and sizes the bound from what is then free.</summary>
    public static ConnectionBound Size(IConfiguration configuration)
    {
        var configured = configuration.GetValue<long?>(ConnectionsMaxSetting);
        if (configured is < 1)
        {
            throw new InvalidOperationException($"{ConnectionsMaxSetting} must be at least 1 (got {configured}).");
        }

        var upper = configured ?? ConnectionsMaxDefault;
        var management = configuration.GetValue<int?>(ManagementPortSetting);
        if (management is < 1 or > 65_535)
        {
            throw new InvalidOperationException($"{ManagementPortSetting} must be a port, 1 to 65535 (got {management}).");
        }

        var limit = Hosting.FileLimit.RaiseSoftToHard();
        var open = Hosting.FileLimit.OpenCount();
        if (limit is not { Now: var now, Before: var before })
        {
            return new ConnectionBound(upper, null, null, open, management);
        }

        var margin = Math.Max(MarginMin, (long)(now * MarginShare));
        var free = now - (open ?? 0) - margin;
        if (free < 1)
        {
            throw new InvalidOperationException(
                $"The file limit ({now}) leaves no room for connections: {open} handles are open and {margin} are kept free. " +
                "Raise it (ulimit -n, systemd LimitNOFILE).");
        }

        return new ConnectionBound(Math.Min(upper, free), now, before, open, management);
    }

    /// <summary>Whether a request came in on the management port.</summary>
    public bool IsManagement(HttpContext context) => ManagementPort is { } port && context.Connection.LocalPort == port;

    public void ApplyTo(KestrelServerOptions kestrel, IConfiguration configuration)
    {
        var keepAlive = configuration.GetValue(KeepAliveSecondsSetting, KeepAliveSecondsDefault);
        if (keepAlive < 1)
        {
            throw new InvalidOperationException($"{KeepAliveSecondsSetting} must be at least 1 (got {keepAlive}).");
        }

        // The bound itself is kept in the accept loop (BoundedListenerFactory), not by Kestrel's limit. A client
        // that connects and sends nothing holds a place until its headers time out: sooner than Kestrel's 30 s.
        kestrel.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(keepAlive);
    }

    public override string ToString() => FileLimit switch
    {
        null => $"at most {Connections} connections (file limit unknown)",
        var limit when limit == FileLimitBefore => $"at most {Connections} connections (file limit {limit}; {OpenAtStart} open at start)",
        var limit => $"at most {Connections} connections (file limit {limit}, raised from {FileLimitBefore}; {OpenAtStart} open at start)",
    };
}
