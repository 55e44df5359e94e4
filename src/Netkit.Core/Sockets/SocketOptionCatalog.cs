using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Netkit.Core.Sockets;

/// <summary>
/// The socket options netkit knows, with their values on fresh sockets of the running OS: the
/// modern form of the tutorial's <c>dir(socket)</c> listing, behind <c>netkit sockopts</c>.
/// </summary>
public static class SocketOptionCatalog
{
    private const string SocketLevel = "SOL_SOCKET";
    private const string TcpLevel = "IPPROTO_TCP";
    private const string IpLevel = "IPPROTO_IP";

    // Each entry says which protocols the option means something for. A SOL_SOCKET option can be
    // read on any socket, but SO_BROADCAST on TCP or SO_LINGER on UDP would only show a value no
    // netkit flag can change, so those cells stay empty, as the applier treats them.
    private static readonly Entry[] Entries =
    [
        new("SO_REUSEADDR", SocketLevel, OperatingSystem.IsWindows() ? null : "--reuse-address", Protocols.Both,
            ReuseAddressReader()),
        // Windows gives servers exclusive address use for --reuse-address (see SocketSettings).
        new("SO_EXCLUSIVEADDRUSE", SocketLevel, OperatingSystem.IsWindows() ? "--reuse-address" : null, Protocols.Both,
            OperatingSystem.IsWindows() ? s => OnOff(s, SocketOptionLevel.Socket, SocketOptionName.ExclusiveAddressUse) : null),
        new("SO_REUSEPORT", SocketLevel, "--reuse-port", Protocols.Both, ReusePortReader()),
        new("SO_KEEPALIVE", SocketLevel, "--keepalive", Protocols.Tcp,
            s => OnOff(s, SocketOptionLevel.Socket, SocketOptionName.KeepAlive)),
        new("TCP_KEEPIDLE", TcpLevel, "--keepalive-idle", Protocols.Tcp,
            s => Seconds(s, SocketOptionName.TcpKeepAliveTime)),
        new("TCP_KEEPINTVL", TcpLevel, "--keepalive-interval", Protocols.Tcp,
            s => Seconds(s, SocketOptionName.TcpKeepAliveInterval)),
        new("TCP_KEEPCNT", TcpLevel, "--keepalive-count", Protocols.Tcp,
            s => Number(s, SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)),
        new("TCP_NODELAY", TcpLevel, "--no-delay", Protocols.Tcp,
            s => OnOff(s, SocketOptionLevel.Tcp, SocketOptionName.NoDelay)),
        new("SO_BINDTODEVICE", SocketLevel, "--bind-device", Protocols.Both,
            OperatingSystem.IsLinux() ? BoundDevice : null),
        new("SO_BROADCAST", SocketLevel, "--broadcast", Protocols.Udp,
            s => OnOff(s, SocketOptionLevel.Socket, SocketOptionName.Broadcast)),
        new("SO_DONTROUTE", SocketLevel, "--dont-route", Protocols.Both,
            s => OnOff(s, SocketOptionLevel.Socket, SocketOptionName.DontRoute)),
        new("SO_OOBINLINE", SocketLevel, "--oob-inline", Protocols.Tcp,
            s => OnOff(s, SocketOptionLevel.Socket, SocketOptionName.OutOfBandInline)),
        new("SO_SNDBUF", SocketLevel, "--send-buffer", Protocols.Both,
            s => Number(s, SocketOptionLevel.Socket, SocketOptionName.SendBuffer)),
        new("SO_RCVBUF", SocketLevel, "--receive-buffer", Protocols.Both,
            s => Number(s, SocketOptionLevel.Socket, SocketOptionName.ReceiveBuffer)),
        new("SO_LINGER", SocketLevel, "--linger", Protocols.Tcp, Linger),
        new("IP_TTL", IpLevel, null, Protocols.Both,
            s => Number(s, SocketOptionLevel.IP, SocketOptionName.IpTimeToLive)),
    ];

    [Flags]
    private enum Protocols
    {
        Tcp = 1,
        Udp = 2,
        Both = Tcp | Udp,
    }

    /// <summary>
    /// Opens a fresh IPv4 TCP socket and a fresh IPv4 UDP socket, reads every known option on each
    /// protocol it applies to, and closes both. An option the OS lacks is listed with
    /// <see cref="SocketOptionInfo.Supported"/> false rather than failing the listing.
    /// </summary>
    /// <returns>The options in the order of netkit's flags, then those no flag sets.</returns>
    /// <exception cref="SocketException">The sockets themselves could not be created.</exception>
    public static IReadOnlyList<SocketOptionInfo> Describe()
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var options = new List<SocketOptionInfo>(Entries.Length);
        foreach (var entry in Entries)
        {
            options.Add(entry.Describe(tcp, udp));
        }

        return options;
    }

    // .NET's GetSocketOption(ReuseAddress) on Unix reads SO_REUSEPORT (it pairs the two), so the
    // real SO_REUSEADDR is read by number there.
    private static Func<Socket, string> ReuseAddressReader()
    {
        if (OperatingSystem.IsLinux())
        {
            return s => RawOnOff(s, PosixSocketConstants.SolSocketLinux, PosixSocketConstants.SoReuseAddrLinux);
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return s => RawOnOff(s, PosixSocketConstants.SolSocketBsd, PosixSocketConstants.SoReuseAddrBsd);
        }

        return s => OnOff(s, SocketOptionLevel.Socket, SocketOptionName.ReuseAddress);
    }

    private static Func<Socket, string>? ReusePortReader()
    {
        if (OperatingSystem.IsLinux())
        {
            return s => RawOnOff(s, PosixSocketConstants.SolSocketLinux, PosixSocketConstants.SoReusePortLinux);
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return s => RawOnOff(s, PosixSocketConstants.SolSocketBsd, PosixSocketConstants.SoReusePortBsd);
        }

        return null;
    }

    private static string OnOff(Socket socket, SocketOptionLevel level, SocketOptionName name) =>
        ReadInt(socket, level, name) != 0 ? "on" : "off";

    private static string Number(Socket socket, SocketOptionLevel level, SocketOptionName name) =>
        ReadInt(socket, level, name).ToString(CultureInfo.InvariantCulture);

    private static string Seconds(Socket socket, SocketOptionName name) =>
        Number(socket, SocketOptionLevel.Tcp, name) + "s";

    private static int ReadInt(Socket socket, SocketOptionLevel level, SocketOptionName name) =>
        socket.GetSocketOption(level, name) is int value
            ? value
            : throw new NotSupportedException($"{name} does not read as a number");

    private static string RawOnOff(Socket socket, int level, int name)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        var length = socket.GetRawSocketOption(level, name, value);
        return length == sizeof(int) && BitConverter.ToInt32(value) != 0 ? "on" : "off";
    }

    private static string BoundDevice(Socket socket)
    {
        Span<byte> name = stackalloc byte[PosixSocketConstants.InterfaceNameSize];
        var length = socket.GetRawSocketOption(PosixSocketConstants.SolSocketLinux, PosixSocketConstants.SoBindToDeviceLinux, name);
        var text = name[..length];
        var end = text.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? text : text[..end]);
    }

    private static string Linger(Socket socket) =>
        socket.LingerState is { Enabled: true } linger
            ? "on," + linger.LingerTime.ToString(CultureInfo.InvariantCulture) + "s"
            : "off";

    private sealed record Entry(string Name, string Level, string? Flag, Protocols Protocols, Func<Socket, string>? Read)
    {
        public SocketOptionInfo Describe(Socket tcp, Socket udp)
        {
            if (Read is null)
            {
                return new SocketOptionInfo(Name, Level, Flag, Supported: false, TcpDefault: null, UdpDefault: null);
            }

            string? tcpValue = null;
            string? udpValue = null;
            var exists = false;
            if (Protocols.HasFlag(Protocols.Tcp))
            {
                exists |= ExistsAndRead(Read, tcp, out tcpValue);
            }

            if (Protocols.HasFlag(Protocols.Udp))
            {
                exists |= ExistsAndRead(Read, udp, out udpValue);
            }

            return new SocketOptionInfo(Name, Level, Flag, exists, tcpValue, udpValue);
        }

        // False only when the OS says it has no such option; a value that failed to read for any
        // other reason is left null, and the option still counts as existing.
        private static bool ExistsAndRead(Func<Socket, string> read, Socket socket, out string? value)
        {
            value = null;
            try
            {
                value = read(socket);
                return true;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ProtocolOption
                or SocketError.OperationNotSupported or SocketError.ProtocolNotSupported)
            {
                return false;
            }
            catch (SocketException)
            {
                return true;
            }
            catch (Exception e) when (e is PlatformNotSupportedException or NotSupportedException)
            {
                return false;
            }
        }
    }
}
