using System.Net;
using System.Net.Sockets;
using Netkit.Core.Sockets;

namespace Netkit.Parsing;

/// <summary>
/// A host as typed, with the port it may carry: <c>example.org</c>, <c>example.org:7000</c>,
/// <c>127.0.0.1:7000</c>, <c>::1</c>, <c>[::1]:7000</c>, <c>[fe80::1%eth0]</c>. The one place that
/// reads a host: what is not a name or an address is a usage error here, before anything is
/// resolved, so only a well-formed name that does not resolve is a network error.
/// </summary>
/// <param name="Host">The name or address, brackets removed; null for a server's "every interface" (<c>""</c>).</param>
/// <param name="Port">The port written into the host, if any.</param>
/// <param name="Literal">The address when <paramref name="Host"/> is a literal.</param>
internal readonly record struct HostPort(string? Host, int? Port, IPAddress? Literal)
{
    /// <param name="text">What was typed.</param>
    /// <param name="server">True for a server's <c>--host</c>: empty means every interface (as Python's
    /// <c>''</c> in the tutorial), and a port may be 0.</param>
    /// <param name="value">The host.</param>
    /// <param name="error">Why it is not one.</param>
    public static bool TryParse(string? text, bool server, out HostPort value, out string error)
    {
        value = default;
        error = "";
        var s = (text ?? "").Trim();
        if (s.Length == 0)
        {
            if (server)
            {
                return true;
            }

            error = "a host name or address is required";
            return false;
        }

        if (s[0] == '-')
        {
            error = $"unknown option {Echo.Quote(s)}";
            return false;
        }

        string host;
        string? portText = null;
        if (s[0] == '[')
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < s.Length && s[close + 1] != ':'))
            {
                error = $"{Echo.Quote(text)} is not a host: write an IPv6 address with a port as [ADDRESS]:PORT";
                return false;
            }

            host = s[1..close];
            portText = close + 1 < s.Length ? s[(close + 2)..] : null;
            if (!AddressParser.TryParse(host, allowZone: true, out var bracketed) || bracketed.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"{Echo.Quote(text)} is not a host: only an IPv6 address goes in brackets";
                return false;
            }
        }
        else if (s.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 && s.IndexOf(':', colon + 1) < 0)
        {
            // One colon: HOST:PORT. More than one is an IPv6 address without brackets (no port).
            host = s[..colon];
            portText = s[(colon + 1)..];
        }
        else if (s.IndexOf('%', StringComparison.Ordinal) is var zone and >= 0 && s.IndexOf(':', zone) >= 0)
        {
            // fe80::1%eth0:7000 would read as a zone named "eth0:7000": the port needs brackets.
            error = $"{Echo.Quote(text)} is not a host: write an IPv6 address with a zone and a port as [fe80::1%eth0]:PORT";
            return false;
        }
        else
        {
            host = s;
        }

        int? port = null;
        if (portText is not null)
        {
            if (!PortParser.TryParse(portText, server, out var p, out var portError))
            {
                error = $"{Echo.Quote(text)}: {portError}";
                return false;
            }

            port = p;
        }

        if (host.Length == 0)
        {
            // ":7000": a server's every interface on that port; a client still needs a host.
            if (server)
            {
                value = new HostPort(null, port, null);
                return true;
            }

            error = $"{Echo.Quote(text)}: a host name or address is required before the port";
            return false;
        }

        if (AddressParser.TryParse(host, allowZone: true, out var literal))
        {
            if (host.IndexOf('%', StringComparison.Ordinal) is var percent and >= 0 && !Native.Libc.IsInterface(host[(percent + 1)..]))
            {
                error = $"{Echo.Quote(text)}: no network interface {Echo.Quote(host[(percent + 1)..])} for the IPv6 zone";
                return false;
            }

            // ::ffff:127.0.0.1 is the IPv4 address: an IPv6-only socket cannot reach it.
            value = literal.IsIPv4MappedToIPv6
                ? new HostPort(literal.MapToIPv4().ToString(), port, literal.MapToIPv4())
                : new HostPort(host, port, literal);
            return true;
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            error = $"{Echo.Quote(text)} is not an IPv6 address";
            return false;
        }

        if (LooksNumeric(host))
        {
            error = $"{Echo.Quote(text)} is not an IPv4 address (four numbers 0-255 without leading zeros, e.g. 127.0.0.1)";
            return false;
        }

        if (!IsHostName(host))
        {
            error = $"{Echo.Quote(text)} is not a host name or address";
            return false;
        }

        value = new HostPort(host, port, null);
        return true;
    }

    /// <summary>The host for display: an IPv6 literal in brackets.</summary>
    public override string ToString() => Literal?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host ?? "";

    // Digits and dots, or a last label that is a number (0x7f.1, 127.1.0x1): meant as an address,
    // not a name, whatever the resolver would make of it (RFC 3696: a top-level label is never all digits).
    private static bool LooksNumeric(string host)
    {
        var last = host.TrimEnd('.').Split('.')[^1];
        return !host.AsSpan().ContainsAnyExcept("0123456789.")
            || !last.AsSpan().ContainsAnyExceptInRange('0', '9')
            || (last.Length > 2 && last[0] == '0' && (last[1] is 'x' or 'X') && !last.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF"));
    }

    private static bool IsLabel(string label)
    {
        foreach (var c in label)
        {
            if (!char.IsLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    // RFC 1123 host names (letters, digits, '-', '_' as some LANs use; letters beyond ASCII for
    // internationalised names, which the resolver encodes), labels of 1-63, 253 in all, a trailing
    // dot allowed.
    private static bool IsHostName(string host)
    {
        var name = host.EndsWith('.') ? host[..^1] : host;
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !IsLabel(label))
            {
                return false;
            }
        }

        return true;
    }
}
