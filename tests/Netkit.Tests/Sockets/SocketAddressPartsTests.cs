using System.Net;
using Netkit.Core.Sockets;

namespace Netkit.Tests.Sockets;

public sealed class SocketAddressPartsTests
{
    // struct sockaddr_in (Linux): family AF_INET = 2 in host order, port 1234 big-endian, 192.0.2.7, zero padding.
    private static readonly byte[] V4 = [2, 0, 0x04, 0xD2, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0];

    // struct sockaddr_in6 (Linux): family AF_INET6 = 10, port 5353, flow info, 2001:db8::1, scope id.
    private static readonly byte[] V6 =
    [
        10, 0, 0x14, 0xE9, 0, 0, 0, 0,
        0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0, 0, 0, 0,
    ];

    // An IPv4 sender of a dual-stack socket: ::ffff:127.0.0.1, port 40000.
    private static readonly byte[] Mapped =
    [
        10, 0, 0x9C, 0x40, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1,
        0, 0, 0, 0,
    ];

    [Fact]
    public void An_ipv4_sockaddr_gives_its_port_and_four_address_bytes()
    {
        Assert.True(SocketAddressParts.TryParse(V4, out var parts));
        Assert.Equal(1234, parts.Port);
        Assert.Equal(new byte[] { 192, 0, 2, 7 }, parts.Address.ToArray());
    }

    [Fact]
    public void An_ipv6_sockaddr_gives_its_port_and_sixteen_address_bytes()
    {
        Assert.True(SocketAddressParts.TryParse(V6, out var parts));
        Assert.Equal(5353, parts.Port);
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), parts.Address.ToArray());
    }

    [Fact]
    public void An_ipv4_mapped_sockaddr_keeps_the_mapped_form()
    {
        Assert.True(SocketAddressParts.TryParse(Mapped, out var parts));
        Assert.Equal(40000, parts.Port);
        Assert.Equal(IPAddress.Parse("::ffff:127.0.0.1").GetAddressBytes(), parts.Address.ToArray());
    }

    [Fact]
    public void The_family_field_is_not_read_so_the_bsd_layout_parses_alike()
    {
        // macOS and the BSDs: a length byte, then AF_INET = 2 in one byte.
        byte[] bsd = [16, 2, .. V4[2..]];
        Assert.True(SocketAddressParts.TryParse(bsd, out var parts));
        Assert.Equal(1234, parts.Port);
        Assert.Equal(new byte[] { 192, 0, 2, 7 }, parts.Address.ToArray());
    }

    [Theory]
    [InlineData("192.0.2.7", 1234)]
    [InlineData("2001:db8::1", 5353)]
    [InlineData("::ffff:127.0.0.1", 40000)]
    public void A_socket_address_of_this_platform_parses_as_its_endpoint(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var socketAddress = endPoint.Serialize();
        Assert.True(SocketAddressParts.TryParse(socketAddress.Buffer.Span[..socketAddress.Size], out var parts));
        Assert.Equal(port, parts.Port);
        Assert.Equal(endPoint.Address.GetAddressBytes(), parts.Address.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(24)]
    [InlineData(110)] // sockaddr_un
    [InlineData(128)] // a sockaddr_storage nobody filled in
    public void Anything_else_is_not_an_ip_sender(int length)
    {
        Assert.False(SocketAddressParts.TryParse(new byte[length], out _));
    }
}
