using System.Net;
using System.Net.Sockets;

namespace Netkit.Core.Sockets;

/// <summary>
/// Reads an address literal as people mean it: IPv4 only as four decimal numbers 0-255 without
/// leading zeros (<c>127.0.0.1</c>); never inet_aton's other forms, which <see cref="IPAddress.TryParse(string, out IPAddress)"/>
/// takes (<c>127.1</c>, <c>0x7f.1</c>, and <c>010.0.0.1</c> read as octal, 8.0.0.1), so a typo can
/// never reach, bind or admit an address nobody wrote. IPv6 as the runtime reads it.
/// </summary>
public static class AddressParser
{
    /// <summary>Parses an IPv4 or IPv6 literal (no brackets); <paramref name="allowZone"/> lets
    /// an IPv6 scope (<c>fe80::1%eth0</c>) through.</summary>
    public static bool TryParse(string? text, bool allowZone, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6
                || (!allowZone && text.Contains('%', StringComparison.Ordinal)))
            {
                return false;
            }

            address = v6;
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || part.AsSpan().ContainsAnyExceptInRange('0', '9') || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var value = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return false;
            }

            bytes[i] = (byte)value;
        }

        address = new IPAddress(bytes);
        return true;
    }
}
