using System.Globalization;
using System.Net;

namespace Netkit.Core.Sockets;

/// <summary>How endpoints read in logs and status lines: <c>127.0.0.1:80</c>, <c>[::1]:80</c>;
/// IPv4-mapped IPv6 peers of a dual-stack socket read as plain IPv4.</summary>
public static class EndpointText
{
    /// <summary>Formats an endpoint; anything that is not an IP endpoint uses its own text.</summary>
    public static string Format(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => Format(ip.Address, ip.Port),
        null => "?",
        _ => endPoint.ToString() ?? "?",
    };

    /// <summary>Formats an address and port.</summary>
    public static string Format(IPAddress address, int port)
    {
        var plain = Normalize(address);
        var port10 = port.ToString(CultureInfo.InvariantCulture);
        return plain.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? "[" + plain + "]:" + port10
            : plain + ":" + port10;
    }

    /// <summary>Maps an IPv4-mapped IPv6 address back to IPv4.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
