using System.Net;

namespace Netkit.Core.Policy;

/// <summary>A source address as a 128-bit key (IPv4 as v4-mapped IPv6), built without allocating: per-source tables key on it.</summary>
public static class SourceKey
{
    /// <summary>The key of 4 or 16 address bytes.</summary>
    public static (ulong, ulong) From(ReadOnlySpan<byte> address)
    {
        Span<byte> full = stackalloc byte[16];
        if (address.Length == 4)
        {
            full[10] = 0xFF;
            full[11] = 0xFF;
            address.CopyTo(full[12..]);
        }
        else
        {
            address[..Math.Min(16, address.Length)].CopyTo(full);
        }

        return (BitConverter.ToUInt64(full), BitConverter.ToUInt64(full[8..]));
    }

    /// <summary>The address a key stands for (an IPv4 address for a v4-mapped key).</summary>
    public static IPAddress ToAddress((ulong, ulong) key)
    {
        Span<byte> full = stackalloc byte[16];
        BitConverter.TryWriteBytes(full, key.Item1);
        BitConverter.TryWriteBytes(full[8..], key.Item2);
        return Cidr.IsV4Mapped(full) ? new IPAddress(full[12..]) : new IPAddress(full);
    }
}
