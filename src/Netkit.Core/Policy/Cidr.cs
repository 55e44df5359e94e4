using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netkit.Core.Policy;

/// <summary>
/// An address block such as <c>10.0.0.0/8</c>, <c>2001:db8::/32</c> or a single address. IPv4
/// blocks also match IPv4-mapped IPv6 addresses (<c>::ffff:10.1.2.3</c>), which is how IPv4 peers
/// of a dual-stack socket appear. Matching works on raw bytes and allocates nothing.
/// </summary>
public sealed class Cidr
{
    private readonly byte[] _network;

    private Cidr(byte[] network, int prefixLength, string text)
    {
        _network = network;
        PrefixLength = prefixLength;
        Text = text;
    }

    /// <summary>Bits that must match.</summary>
    public int PrefixLength { get; }

    /// <summary>True for an IPv4 block.</summary>
    public bool IsIPv4 => _network.Length == 4;

    /// <summary>The block in canonical form, e.g. <c>10.0.0.0/8</c>.</summary>
    public string Text { get; }

    /// <summary>Parses <c>ADDRESS</c> or <c>ADDRESS/PREFIX</c>; host bits must be zero.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Cidr? cidr, out string error)
    {
        cidr = null;
        error = "";
        var s = (text ?? "").Trim();
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? s : s[..slash];
        if (!Sockets.AddressParser.TryParse(addressText, allowZone: false, out var address))
        {
            error = $"'{Protocols.PeerText.Typed(text)}' is not an address or CIDR block (e.g. 10.0.0.0/8, ::1, 2001:db8::/32)";
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(s[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            error = $"'{Protocols.PeerText.Typed(text)}': the prefix length must be 0-{bits}";
            return false;
        }

        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bits; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                error = $"'{text}': host bits are set (did you mean {Network(bytes, prefix)}/{prefix}?)";
                return false;
            }
        }

        cidr = new Cidr(bytes, prefix, $"{address}/{prefix}");
        return true;
    }

    /// <summary>True when <paramref name="address"/> (4 or 16 bytes, big-endian) is in the block.</summary>
    public bool Contains(ReadOnlySpan<byte> address)
    {
        // An IPv4 peer of a dual-stack socket arrives as ::ffff:a.b.c.d: it is an IPv4 address, for
        // IPv4 blocks and IPv6 blocks alike (so --deny ::/0 means "no IPv6", not "nobody").
        if (address.Length == 16 && IsV4Mapped(address))
        {
            address = address[12..];
        }

        if (address.Length != _network.Length)
        {
            return false;
        }

        var full = PrefixLength / 8;
        if (!address[..full].SequenceEqual(_network.AsSpan(0, full)))
        {
            return false;
        }

        var rest = PrefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (address[full] & mask) == (_network[full] & mask);
    }

    /// <summary>True when <paramref name="address"/> is in the block.</summary>
    public bool Contains(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out var written) && Contains(bytes[..written]);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    internal static bool IsV4Mapped(ReadOnlySpan<byte> address)
        => address[..10].IndexOfAnyExcept((byte)0) < 0 && address[10] == 0xFF && address[11] == 0xFF;

    private static IPAddress Network(byte[] bytes, int prefix)
    {
        var copy = (byte[])bytes.Clone();
        for (var bit = prefix; bit < copy.Length * 8; bit++)
        {
            copy[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(copy);
    }
}
