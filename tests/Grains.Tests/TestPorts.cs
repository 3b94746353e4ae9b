using System.Net;
using System.Net.Sockets;

namespace Ledger.Grains.Tests;

/// <summary>Ports for the processes a test starts (silos, a gateway).</summary>
public static class TestPorts
{
    // Below Linux's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by default), so that the
    // outgoing connections of tests running meanwhile (Npgsql, Orleans clients) cannot take a port
    // between this check and the process's bind, nor while a killed process's port waits for its restart.
    // Above what ./ledger up takes (11111.., and 30000.. for silo gateways, 9464.. for metrics).
    private const int First = 15_000;
    private const int Last = 29_999;

    /// <summary>A port that was free on loopback a moment ago, at random in [15000, 30000).</summary>
    public static int Free()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = Random.Shared.Next(First, Last + 1);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException) when (attempt < 100)
            {
                // Taken: try another.
            }
        }
    }
}
