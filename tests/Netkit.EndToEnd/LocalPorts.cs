using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netkit.EndToEnd;

/// <summary>
/// Ephemeral ports for the Python fixtures (which, like the tutorial, print nothing when they are
/// ready) and a readiness check that reads the kernel's socket tables instead of connecting,
/// since a probe connection would use up a one-shot server's only client.
/// </summary>
public static class LocalPorts
{
    /// <summary>A TCP port nobody listens on right now (the kernel's pick for port 0).</summary>
    public static int FreeTcp() => Free(SocketType.Stream, ProtocolType.Tcp);

    /// <summary>A UDP port nobody is bound to right now.</summary>
    public static int FreeUdp() => Free(SocketType.Dgram, ProtocolType.Udp);

    /// <summary>Waits until some socket listens on TCP <paramref name="port"/>.</summary>
    public static Task WaitForTcpListenerAsync(int port) =>
        WaitForAsync(port, ["/proc/net/tcp", "/proc/net/tcp6"], state: "0A"); // TCP_LISTEN

    /// <summary>Waits until some socket is bound to UDP <paramref name="port"/>.</summary>
    public static Task WaitForUdpBindAsync(int port) =>
        WaitForAsync(port, ["/proc/net/udp", "/proc/net/udp6"], state: null);

    private static int Free(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task WaitForAsync(int port, string[] tables, string? state)
    {
        var deadline = DateTime.UtcNow + RunningProcess.DefaultTimeout;
        while (!IsBound(port, tables, state))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"nothing bound to port {port} within {RunningProcess.DefaultTimeout}");
            }

            await Task.Delay(20);
        }
    }

    // Rows look like "0: 00000000:3039 00000000:0000 0A ...": local address:port (hex), remote, state.
    private static bool IsBound(int port, string[] tables, string? state)
    {
        foreach (var table in tables.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4)
                {
                    continue;
                }

                var local = fields[1];
                var localPort = int.Parse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (localPort == port && (state is null || fields[3] == state))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
