using System.Net;
using System.Net.Sockets;

namespace Netkit.Core.Sockets;

/// <summary>
/// Reads the port and address bytes of a <see cref="SocketAddress"/> in place, without creating an
/// <see cref="IPEndPoint"/> (which allocates). The port sits at bytes 2-3 and the address at 4-7
/// (IPv4) or 8-23 (IPv6) in the sockaddr layouts of Linux, Windows and the BSDs alike.
/// </summary>
public static class SocketAddressParts
{
    /// <summary>The port, or -1 for a non-IP address.</summary>
    public static int Port(SocketAddress address)
        => address.Family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? (address.Buffer.Span[2] << 8) | address.Buffer.Span[3]
            : -1;

    /// <summary>The address bytes (4 for IPv4, 16 for IPv6), or empty for a non-IP address.</summary>
    public static ReadOnlySpan<byte> Address(SocketAddress address) => address.Family switch
    {
        AddressFamily.InterNetwork => address.Buffer.Span.Slice(4, 4),
        AddressFamily.InterNetworkV6 => address.Buffer.Span.Slice(8, 16),
        _ => [],
    };
}
