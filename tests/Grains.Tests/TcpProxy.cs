using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.Grains.Tests;

/// <summary>
/// A loopback TCP forwarder in front of the test PostgreSQL, so a test can make the database unreachable
/// for a moment. <see cref="Cut"/> resets every live connection and every new one until
/// <see cref="Restore"/>; the listening port stays the same throughout, so connection strings stay valid.
/// </summary>
/// <remarks>
/// While cut, the listener keeps accepting but resets each connection at once (an RST, as from a dead
/// host's firewall that rejects): a client notices immediately instead of waiting for a connect timeout,
/// and no other process can take the port in between.
/// </remarks>
public sealed class TcpProxy : IAsyncDisposable
{
    /// <summary>Connections forwarded at once; past this a new one is reset.</summary>
    public const int ConnectionsMax = 128;

    private const int BufferSize = 16 * 1024;

    private readonly TcpListener listener;
    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private readonly ConcurrentDictionary<long, Link> links = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;
    private long nextLinkId;
    private volatile bool cut;

    private static readonly TaskCompletionSource Flowing = CompletedSource();
    private TaskCompletionSource flowing = Flowing;

    private TcpProxy(string upstreamHost, int upstreamPort)
    {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptLoopAsync();
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Connections ever forwarded.</summary>
    public long Forwarded => Interlocked.Read(ref nextLinkId);

    public int LiveConnections => links.Count;

    /// <summary>A proxy to the host and port of a PostgreSQL connection string.</summary>
    public static TcpProxy To(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new TcpProxy(builder.Host ?? throw new ArgumentException("The connection string names no host."), builder.Port);
    }

    /// <summary>The same connection string, reaching the database through this proxy.</summary>
    public string Reroute(string connectionString, Action<NpgsqlConnectionStringBuilder>? adjust = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port };
        adjust?.Invoke(builder);
        return builder.ConnectionString;
    }

    /// <summary>Makes the database unreachable: resets every live connection, and every new one until restored.</summary>
    public void Cut()
    {
        cut = true;
        foreach (var link in links.Values)
        {
            link.Abort();
        }
    }

    /// <summary>Forwards new connections again.</summary>
    public void Restore() => cut = false;

    /// <summary>
    /// Stalls the database: connections stay open, but nothing is passed on either way until
    /// <see cref="Resume"/>, as with a database that hangs rather than refuses.
    /// </summary>
    public void Pause() => Interlocked.CompareExchange(
        ref flowing, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Flowing);

    /// <summary>Passes on everything held back by <see cref="Pause"/>, and all that follows.</summary>
    public void Resume()
    {
        var paused = Interlocked.Exchange(ref flowing, Flowing);
        paused.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        foreach (var link in links.Values)
        {
            link.Abort();
        }

        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (cut || links.Count >= ConnectionsMax)
            {
                Reset(client);
                continue;
            }

            var id = Interlocked.Increment(ref nextLinkId);
            _ = ForwardAsync(id, client);
        }
    }

    private async Task ForwardAsync(long id, Socket client)
    {
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        var link = new Link(client, upstream);
        links[id] = link;
        try
        {
            // The cut may have come while this connection was being accepted.
            if (cut)
            {
                return;
            }

            await upstream.ConnectAsync(upstreamHost, upstreamPort, stopping.Token);
            var toServer = PumpAsync(client, upstream);
            var toClient = PumpAsync(upstream, client);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away or the link was aborted: the link ends.
        }
        finally
        {
            links.TryRemove(id, out _);
            link.Abort();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, stopping.Token);
                if (read == 0 || cut)
                {
                    return;
                }

                await Volatile.Read(ref flowing).Task.WaitAsync(stopping.Token);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stopping.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }

    /// <summary>Closes a socket with an RST rather than an orderly FIN, as a failed host or network does.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private sealed class Link(Socket client, Socket upstream)
    {
        private int aborted;

        public void Abort()
        {
            if (Interlocked.Exchange(ref aborted, 1) == 0)
            {
                Reset(client);
                Reset(upstream);
            }
        }
    }
}
