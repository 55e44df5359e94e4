namespace Netkit.Core.Sockets;

/// <summary>
/// The port and address bytes of a raw sockaddr, read in place without creating an
/// <see cref="System.Net.IPEndPoint"/> (which allocates). The one parser of senders' addresses for
/// both UDP receive loops: the bytes come from recvmmsg's name buffers or from a
/// <see cref="System.Net.SocketAddress"/>'s buffer alike.
/// </summary>
/// <remarks>
/// sockaddr_in is 16 bytes and sockaddr_in6 28 on Linux, Windows, macOS and the BSDs, and in both
/// the port sits big-endian at bytes 2-3, the address at 4-7 (IPv4) or 8-23 (IPv6). The family field
/// is not read: its values and even its width differ by OS (the BSDs start with a length byte), so
/// the length tells the family. A dual-stack socket names IPv4 senders as IPv4-mapped IPv6, 28 bytes.
/// </remarks>
public readonly ref struct SocketAddressParts
{
    /// <summary>The length of a sockaddr_in.</summary>
    public const int IPv4Length = 16;

    /// <summary>The length of a sockaddr_in6.</summary>
    public const int IPv6Length = 28;

    private SocketAddressParts(ReadOnlySpan<byte> sockaddr, ReadOnlySpan<byte> address)
    {
        Port = (sockaddr[2] << 8) | sockaddr[3];
        Address = address;
    }

    /// <summary>The port, in host order.</summary>
    public int Port { get; }

    /// <summary>The address bytes in network order: 4 for IPv4, 16 for IPv6 (IPv4-mapped included).</summary>
    public ReadOnlySpan<byte> Address { get; }

    /// <summary>Reads <paramref name="sockaddr"/> (exactly the length the OS reported); false for
    /// anything that is neither a sockaddr_in nor a sockaddr_in6.</summary>
    public static bool TryParse(ReadOnlySpan<byte> sockaddr, out SocketAddressParts parts)
    {
        switch (sockaddr.Length)
        {
            case IPv4Length:
                parts = new SocketAddressParts(sockaddr, sockaddr.Slice(4, 4));
                return true;
            case IPv6Length:
                parts = new SocketAddressParts(sockaddr, sockaddr.Slice(8, 16));
                return true;
            default:
                parts = default;
                return false;
        }
    }
}
