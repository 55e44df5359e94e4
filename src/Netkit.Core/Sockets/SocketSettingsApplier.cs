using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Netkit.Core.Sockets;

/// <summary>
/// Applies <see cref="SocketSettings"/> to a fresh socket, before bind or connect. Each option that
/// fails becomes a <see cref="SocketOptionException"/> naming the command-line option, so the user
/// learns which of their choices the OS refused and why.
/// </summary>
public static class SocketSettingsApplier
{
    /// <summary>
    /// Applies every setting that matters for <paramref name="role"/>. A setting that belongs to the
    /// other protocol (<c>--broadcast</c> on TCP, <c>--no-delay</c> on UDP, ...) fails before
    /// anything is set, rather than being silently ignored.
    /// </summary>
    /// <exception cref="SocketOptionException">A setting is out of range, for the wrong protocol,
    /// not supported by the OS, or refused by it.</exception>
    public static void Apply(Socket socket, SocketSettings settings, SocketRole role)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(settings);
        RejectOtherProtocol(settings, role);

        // TCP servers reuse the address by default (like the tutorial: a restart binds at once despite
        // TIME_WAIT). UDP has no TIME_WAIT, and on Linux SO_REUSEADDR there lets a second server bind
        // the same port and split the traffic silently, so UDP sets it only when asked.
        var reuse = settings.ReuseAddress ?? role is SocketRole.Listener;
        if (role == SocketRole.Listener || settings.ReuseAddress is not null)
        {
            if (OperatingSystem.IsWindows())
            {
                // On Windows SO_REUSEADDR lets another process bind the same port and steal traffic;
                // exclusive use is the safe meaning of "let me restart on this port".
                if (role != SocketRole.Client)
                {
                    Set("--reuse-address", () => socket.ExclusiveAddressUse = reuse);
                }
            }
            else
            {
                Set("--reuse-address", () => SetReuseAddress(socket, reuse));
            }
        }

        if (settings.ReusePort)
        {
            Set("--reuse-port", () => SetReusePort(socket));
        }

        if (settings.BindDevice is { } device)
        {
            Set("--bind-device", () => SetBindDevice(socket, device));
        }

        if (settings.DontRoute)
        {
            Set("--dont-route", () => socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.DontRoute, true));
        }

        if (settings.SendBuffer is { } send)
        {
            Set("--send-buffer", () => socket.SendBufferSize = Bytes(send, "--send-buffer"));
        }

        if (settings.ReceiveBuffer is { } receive)
        {
            Set("--receive-buffer", () => socket.ReceiveBufferSize = Bytes(receive, "--receive-buffer"));
        }

        if (role == SocketRole.Datagram)
        {
            if (settings.Broadcast)
            {
                Set("--broadcast", () => socket.EnableBroadcast = true);
            }

            return;
        }

        if (settings.WantsKeepAlive)
        {
            Set("--keepalive", () => socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true));
        }

        if (settings.KeepAliveIdle is { } idle)
        {
            Set("--keepalive-idle", () => socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, WholeSeconds(idle, "--keepalive-idle", minimum: 1)));
        }

        if (settings.KeepAliveInterval is { } interval)
        {
            Set("--keepalive-interval", () => socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, WholeSeconds(interval, "--keepalive-interval", minimum: 1)));
        }

        if (settings.KeepAliveCount is { } count)
        {
            Set("--keepalive-count", () => socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, count));
        }

        if (settings.NoDelay)
        {
            Set("--no-delay", () => socket.NoDelay = true);
        }

        if (settings.OobInline)
        {
            Set("--oob-inline", () => socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.OutOfBandInline, true));
        }

        if (settings.Linger is { } linger)
        {
            Set("--linger", () => socket.LingerState = new LingerOption(true, WholeSeconds(linger, "--linger", minimum: 0)));
        }
    }

    private static void RejectOtherProtocol(SocketSettings settings, SocketRole role)
    {
        if (role != SocketRole.Datagram)
        {
            if (settings.Broadcast)
            {
                throw new SocketOptionException("--broadcast", "applies to UDP sockets only");
            }

            return;
        }

        var tcpOnly = settings switch
        {
            { KeepAlive: true } => "--keepalive",
            { KeepAliveIdle: not null } => "--keepalive-idle",
            { KeepAliveInterval: not null } => "--keepalive-interval",
            { KeepAliveCount: not null } => "--keepalive-count",
            { NoDelay: true } => "--no-delay",
            { OobInline: true } => "--oob-inline",
            { Linger: not null } => "--linger",
            _ => null,
        };
        if (tcpOnly is not null)
        {
            throw new SocketOptionException(tcpOnly, "applies to TCP sockets only");
        }
    }

    // 32767 is Linux's ceiling for the keepalive times (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL) and keeps
    // linger within what every OS accepts. A part second rounds up, so 1500ms never becomes 1s.
    private static int WholeSeconds(TimeSpan value, string option, int minimum)
    {
        const int maximum = 32767;
        if (value < TimeSpan.FromSeconds(minimum) || value > TimeSpan.FromSeconds(maximum))
        {
            throw new SocketOptionException(option, $"must be between {minimum} and {maximum} seconds");
        }

        return (int)Math.Ceiling(value.TotalSeconds);
    }

    private static int Bytes(int value, string option) =>
        value > 0 ? value : throw new SocketOptionException(option, "must be a positive number of bytes");

    // .NET's SetSocketOption(ReuseAddress) on Unix turns SO_REUSEPORT on with it (seen with strace
    // on Linux), which lets a second server bind the same port and silently take half the clients.
    // Setting the option by number keeps --reuse-address to SO_REUSEADDR alone.
    private static void SetReuseAddress(Socket socket, bool reuse)
    {
        var value = BitConverter.GetBytes(reuse ? 1 : 0);
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(PosixSocketConstants.SolSocketLinux, PosixSocketConstants.SoReuseAddrLinux, value);
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            socket.SetRawSocketOption(PosixSocketConstants.SolSocketBsd, PosixSocketConstants.SoReuseAddrBsd, value);
        }
        else
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, reuse);
        }
    }

    private static void SetReusePort(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(PosixSocketConstants.SolSocketLinux, PosixSocketConstants.SoReusePortLinux, BitConverter.GetBytes(1));
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            socket.SetRawSocketOption(PosixSocketConstants.SolSocketBsd, PosixSocketConstants.SoReusePortBsd, BitConverter.GetBytes(1));
        }
        else
        {
            throw new PlatformNotSupportedException("SO_REUSEPORT does not exist on this OS");
        }
    }

    private static void SetBindDevice(Socket socket, string device)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("SO_BINDTODEVICE exists on Linux only");
        }

        // The kernel silently cuts a longer name to IFNAMSIZ - 1 bytes, which could name another
        // interface, so the limit is checked here, in bytes.
        var length = Encoding.UTF8.GetByteCount(device);
        if (length == 0 || device.Contains('\0'))
        {
            throw new SocketOptionException("--bind-device", device, "not an interface name");
        }

        if (length >= PosixSocketConstants.InterfaceNameSize)
        {
            throw new SocketOptionException("--bind-device", device, $"not an interface name (at most {PosixSocketConstants.InterfaceNameSize - 1} bytes)");
        }

        var name = new byte[length + 1];
        Encoding.UTF8.GetBytes(device, name);

        // Called directly rather than through SetRawSocketOption: .NET has no SocketError for ENODEV
        // and reports a missing interface as "unknown socket error", losing the errno.
        var errno = LinuxSocketOption.Set(socket, PosixSocketConstants.SolSocketLinux, PosixSocketConstants.SoBindToDeviceLinux, name);
        if (errno != 0)
        {
            throw new SocketOptionException("--bind-device", device, BindDeviceFailure(errno))
            {
                Denied = errno is LinuxSocketOption.Eperm or LinuxSocketOption.Eacces,
            };
        }
    }

    /// <summary>Why SO_BINDTODEVICE failed, from its errno: a missing interface is the user naming
    /// something that is not there (a usage error); EPERM is a matter of privileges (Linux before
    /// 5.7 wants CAP_NET_RAW for any binding, later ones only to change a binding).</summary>
    internal static string BindDeviceFailure(int errno) => errno switch
    {
        LinuxSocketOption.Enodev => "no such device",
        LinuxSocketOption.Eperm or LinuxSocketOption.Eacces => "not permitted (needs CAP_NET_RAW)",
        _ => Lower(Marshal.GetPInvokeErrorMessage(errno)),
    };

    private static string Lower(string text) => text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    private static void Set(string option, Action apply)
    {
        try
        {
            apply();
        }
        catch (SocketOptionException)
        {
            throw;
        }
        catch (PlatformNotSupportedException e)
        {
            throw new SocketOptionException(option, "not supported on this OS: " + e.Message, e);
        }
        catch (SocketException e)
        {
            var denied = e.SocketErrorCode == SocketError.AccessDenied || e.ErrorCode is 1 or 13;
            var reason = e.SocketErrorCode switch
            {
                SocketError.ProtocolOption or SocketError.OperationNotSupported or SocketError.ProtocolNotSupported
                    => "not supported on this OS",
                _ when denied => "not permitted (needs more privileges)",
                _ => SocketErrors.Describe(e),
            };
            throw new SocketOptionException(option, reason, e) { Denied = denied };
        }
    }
}
