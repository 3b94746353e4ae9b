using System.Net;
using System.Net.Sockets;

namespace Ledger.Cli;

/// <summary>Ports checked before anything starts, so a taken one is named at once rather than found by a process that dies.</summary>
public static class Ports
{
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            listener.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Throws a <see cref="UserError"/> naming the first port that is taken and the setting it comes from.</summary>
    public static void EnsureFree(IEnumerable<(int Port, string Setting)> ports)
    {
        foreach (var (port, setting) in ports)
        {
            if (!IsFree(port))
            {
                throw new UserError($"port {port} ({setting}) is taken by another process; stop it or set {setting.Split(',')[0]}");
            }
        }
    }
}
