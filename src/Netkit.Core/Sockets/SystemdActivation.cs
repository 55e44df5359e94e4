using System.Globalization;
using System.Net.Sockets;

namespace Netkit.Core.Sockets;

/// <summary>
/// Socket activation: when systemd (or <c>systemd-socket-activate</c>) starts netkit with
/// <c>LISTEN_PID</c> set to our process id and <c>LISTEN_FDS</c> ≥ 1, the socket it bound is
/// descriptor 3 (<c>SD_LISTEN_FDS_START</c>). systemd then owns the port (port 37 needs no root
/// for netkit) and netkit serves on the socket as it is. The variables are cleared once read, so
/// a child process never mistakes them for its own.
/// </summary>
public static class SystemdActivation
{
    private const int ListenFdsStart = 3;

    /// <summary>The socket passed by systemd, or null when none was passed to this process.</summary>
    /// <param name="expected">The socket type the server needs (stream or datagram).</param>
    /// <exception cref="NetkitException">A socket was passed but of the wrong type.</exception>
    public static Socket? TakeSocket(SocketType expected)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        var fds = Environment.GetEnvironmentVariable("LISTEN_FDS");
        if (pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
            || !int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return null;
        }

        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);

        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(ListenFdsStart, ownsHandle: true));
        }
        catch (SocketException e)
        {
            throw new NetkitException(FailureKind.Usage, $"socket passed by systemd (fd {ListenFdsStart}): {SocketErrors.Describe(e)}", e);
        }

        if (socket.SocketType != expected)
        {
            var got = socket.SocketType;
            socket.Dispose();
            var want = expected == SocketType.Stream ? "a stream (TCP) socket" : "a datagram (UDP) socket";
            throw new NetkitException(FailureKind.Usage, $"socket passed by systemd: need {want}, got {got}");
        }

        return socket;
    }
}
