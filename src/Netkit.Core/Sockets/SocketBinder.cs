using System.Net;
using System.Net.Sockets;

namespace Netkit.Core.Sockets;

/// <summary>
/// Creates and binds server sockets. With no host, one dual-stack <c>[::]</c> socket serves IPv4 and
/// IPv6 (IPV6_V6ONLY is cleared explicitly: Windows sets it by default), falling back to
/// <c>0.0.0.0</c> where IPv6 is off. Failures to bind are <see cref="FailureKind.Bind"/>.
/// </summary>
public static class SocketBinder
{
    /// <summary>Binds and starts listening a TCP socket with the given <paramref name="backlog"/>;
    /// a listening socket passed by systemd (<see cref="SystemdActivation"/>) is used as it is.</summary>
    public static async Task<Socket> ListenTcpAsync(ListenRequest request, int backlog, CancellationToken cancellationToken)
    {
        if (SystemdActivation.TakeSocket(SocketType.Stream) is { } activated)
        {
            return activated;
        }

        var socket = await BindAsync(request, SocketType.Stream, ProtocolType.Tcp, SocketRole.Listener, cancellationToken).ConfigureAwait(false);
        try
        {
            socket.Listen(backlog);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new NetkitException(FailureKind.Bind, $"listen on {EndpointText.Format(socket.LocalEndPoint)}: {SocketErrors.Describe(e)}", e);
        }
    }

    /// <summary>Binds a UDP socket; a datagram socket passed by systemd is used as it is.</summary>
    public static Task<Socket> BindUdpAsync(ListenRequest request, CancellationToken cancellationToken)
        => SystemdActivation.TakeSocket(SocketType.Dgram) is { } activated
            ? Task.FromResult(activated)
            : BindAsync(request, SocketType.Dgram, ProtocolType.Udp, SocketRole.Datagram, cancellationToken);

    private static async Task<Socket> BindAsync(ListenRequest request, SocketType type, ProtocolType protocol, SocketRole role, CancellationToken cancellationToken)
    {
        if (request.Port is < 0 or > 65535)
        {
            throw new NetkitException(FailureKind.Usage, $"port {request.Port}: must be 0-65535");
        }

        IPAddress address;
        var dualStack = false;
        if (request.Host is null)
        {
            if (request.Family == AddressFamilyPreference.IPv6 && !Socket.OSSupportsIPv6)
            {
                throw new NetkitException(FailureKind.Bind, "bind [::] (-6): IPv6 is not available on this host");
            }

            var v6 = request.Family != AddressFamilyPreference.IPv4 && Socket.OSSupportsIPv6;
            address = v6 ? IPAddress.IPv6Any : IPAddress.Any;
            dualStack = v6 && request.Family == AddressFamilyPreference.Any;
        }
        else
        {
            address = (await HostResolver.ResolveAsync(request.Host, request.Family, cancellationToken).ConfigureAwait(false))[0];
        }

        try
        {
            return Bind(new IPEndPoint(address, request.Port), type, protocol, role, request.Settings, dualStack);
        }
        catch (SocketException e) when (request.Host is null && address.Equals(IPAddress.IPv6Any)
                                        && e.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
        {
            // IPv6 is compiled in but switched off on this host: serve IPv4 alone.
            return Bind(new IPEndPoint(IPAddress.Any, request.Port), type, protocol, role, request.Settings, dualStack: false);
        }
    }

    private static Socket Bind(IPEndPoint endPoint, SocketType type, ProtocolType protocol, SocketRole role, SocketSettings settings, bool dualStack)
    {
        var socket = new Socket(endPoint.AddressFamily, type, protocol);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = dualStack;
            }

            SocketSettingsApplier.Apply(socket, settings, role);
            socket.Bind(endPoint);
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode is not (SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable) || !dualStack)
        {
            socket.Dispose();
            var kind = protocol == ProtocolType.Tcp ? "tcp" : "udp";

            // Windows refuses a port another socket holds with exclusive address use (what netkit's
            // servers set there) with WSAEACCES, not WSAEADDRINUSE: "permission denied" would send
            // the user looking for privileges (found under Wine). It also says so for ports it reserves.
            var why = OperatingSystem.IsWindows() && e.SocketErrorCode == SocketError.AccessDenied
                ? "address already in use (another program holds the port exclusively, or Windows reserves it: netsh interface ipv4 show excludedportrange protocol=" + kind + ")"
                : SocketErrors.Describe(e);
            throw new NetkitException(FailureKind.Bind, $"bind {EndpointText.Format(endPoint)} ({kind}): {why}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
