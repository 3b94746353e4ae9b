using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// Kestrel's transport, with the connection bound enforced in its accept loop: past the bound, a new connection
/// is closed before the next one is accepted, so the file handles held never exceed the bound, however fast the
/// crowd connects. (Kestrel's own limit closes rejected connections on other threads while its loop goes on
/// accepting; in a storm those not yet closed took the remaining handles and the process died.) What waits to be
/// accepted waits in the kernel's listen queue, which holds no handle of the process.
/// </summary>
public sealed class BoundedListenerFactory(IConnectionListenerFactory transport, ConnectionGate gate, int? managementPort)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    // The management port is left out: its few connections (probes, scrapes) must get in at the bound.
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = await transport.BindAsync(endpoint, cancellationToken);
        return endpoint is IPEndPoint { Port: var port } && port == managementPort ? listener : new BoundedListener(listener, gate);
    }

    public bool CanBind(EndPoint endpoint) => transport is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);

    private sealed class BoundedListener(IConnectionListener listener, ConnectionGate gate) : IConnectionListener
    {
        public EndPoint EndPoint => listener.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (await listener.AcceptAsync(cancellationToken) is { } connection)
            {
                if (gate.TryEnter())
                {
                    return new GatedConnection(connection, gate);
                }

                await RejectAsync(connection);
            }

            return null;
        }

        // An exception here would end Kestrel's accept loop for good: whatever closing a refused connection
        // throws, the loop goes on.
        private static async ValueTask RejectAsync(ConnectionContext connection)
        {
            try
            {
                connection.Abort(new ConnectionAbortedException("The gateway is at its connection bound."));
                await connection.DisposeAsync();
            }
            catch (Exception)
            {
                // Nothing to do: the connection is gone either way.
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => listener.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => listener.DisposeAsync();
    }

    /// <summary>The accepted connection as it is, giving its place back once Kestrel has disposed of it.</summary>
    private sealed class GatedConnection(ConnectionContext connection, ConnectionGate gate) : ConnectionContext
    {
        private int disposed;

        public override string ConnectionId { get => connection.ConnectionId; set => connection.ConnectionId = value; }

        public override Microsoft.AspNetCore.Http.Features.IFeatureCollection Features => connection.Features;

        public override IDictionary<object, object?> Items { get => connection.Items; set => connection.Items = value; }

        public override System.IO.Pipelines.IDuplexPipe Transport { get => connection.Transport; set => connection.Transport = value; }

        public override CancellationToken ConnectionClosed { get => connection.ConnectionClosed; set => connection.ConnectionClosed = value; }

        public override EndPoint? LocalEndPoint { get => connection.LocalEndPoint; set => connection.LocalEndPoint = value; }

        public override EndPoint? RemoteEndPoint { get => connection.RemoteEndPoint; set => connection.RemoteEndPoint = value; }

        public override void Abort(ConnectionAbortedException abortReason) => connection.Abort(abortReason);

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await connection.DisposeAsync();
            }
            finally
            {
                if (Interlocked.Exchange(ref disposed, 1) == 0)
                {
                    gate.Leave();
                }
            }
        }
    }
}
